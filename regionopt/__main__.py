"""``python -m regionopt`` runs the command line.

The signal handlers are installed before the command line is even imported, so that a
signal during the start-up ends the command as one later does (exit 130 or 143, no
traceback); a stopped command then ends at once (:func:`regionopt.interrupts.exit_now`).
"""

import sys

from regionopt import interrupts

interrupts.install_handlers()
try:
    from regionopt.cli import main

    code = main()
except KeyboardInterrupt:  # before the command's own handling began
    interrupts.kill_children()
    code = interrupts.EXIT_SIGINT
except interrupts.Terminated:
    interrupts.kill_children()
    code = interrupts.EXIT_SIGTERM
interrupts.exit_on_signal()  # the work is done: a signal from now on only ends the process
if code in (interrupts.EXIT_SIGINT, interrupts.EXIT_SIGTERM):
    # stopped and cleaned up: do not let the interpreter's exit wait on a killed pool
    interrupts.exit_now(code)
sys.exit(code)
