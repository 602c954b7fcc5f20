# A bare-metal service masked by the openrc preset (hwclock.sh, the host's hardware clock)
# stays masked: a no-op stub inside the container that cannot be replaced, whose start
# changes nothing, also after the machine is stopped, crashed and started again.
tree=$(../../scripts/mkrootfs debian-openrc) || exit 1
machine box -D "$tree" --volatile
wait_for_service box ssh
succeed box 'grep -q "Masked by nsboot" /etc/init.d/hwclock.sh'
succeed box 'rc-service hwclock.sh restart'
fail box 'echo "hwclock --hctosys" >>/etc/init.d/hwclock.sh'
fail box 'rm -f /etc/init.d/hwclock.sh'
succeed box 'grep -q "Masked by nsboot" /etc/init.d/hwclock.sh'
stop box
start box
wait_for_service box ssh
succeed box 'grep -q "Masked by nsboot" /etc/init.d/hwclock.sh'
crash box
start box
wait_for_service box ssh
succeed box 'grep -q "Masked by nsboot" /etc/init.d/hwclock.sh'
stop box
