# cron runs a job: a line in /etc/cron.d of a booted Debian OpenRC tree runs within the
# next minutes, as the user it names, and again after cron is restarted.
tree=$(../../scripts/mkrootfs debian-openrc) || exit 1
machine box -D "$tree" --volatile
wait_for_service box cron
succeed box 'echo "* * * * * nobody id -un >>/tmp/cron-ran" >/etc/cron.d/nsboot-test'
# cron reads /etc/cron.d at the turn of each minute, and runs the job at the next one
wait_for_file box /tmp/cron-ran --timeout=150
succeed box 'grep -qx nobody /tmp/cron-ran'
succeed box 'rc-service cron restart'
wait_until box 'test "$(wc -l </tmp/cron-ran)" -ge 2' --timeout=90
stop box
