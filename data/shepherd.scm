;; /etc/shepherd.scm of nsboot's debian-shepherd tree (scripts/mkrootfs debian-shepherd):
;; a system configuration for GNU Shepherd 1.0 that runs sshd and cron as Shepherd
;; services and starts them at boot, as a Guix system's configuration does.

(define sshd
  (service '(sshd ssh-daemon)
    #:documentation "The OpenSSH server."
    #:start (let ((start (make-forkexec-constructor
                          '("/usr/sbin/sshd" "-D" "-e")
                          ;; sshd writes it once it listens: started means listening
                          #:pid-file "/run/sshd.pid")))
              (lambda args
                ;; its privilege separation directory
                (unless (file-exists? "/run/sshd")
                  (mkdir "/run/sshd" #o755))
                (apply start args)))
    #:stop (make-kill-destructor)
    #:respawn? #t))

(define cron
  (service '(cron)
    #:documentation "The periodic command scheduler."
    #:start (make-forkexec-constructor '("/usr/sbin/cron" "-f"))
    #:stop (make-kill-destructor)
    #:respawn? #t))

(register-services (list sshd cron))
(start-in-the-background '(sshd cron))
