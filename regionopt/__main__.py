"""``python -m regionopt`` and the ``regionopt`` script run the command line (:func:`run`).

Signals are handled from the first line on: until the command line's own handlers are in
place a signal ends the process at once (130 or 143; nothing has started or been written
yet), and from then on as every command does (:mod:`regionopt.interrupts`). A signal the
process was started ignoring stays ignored (:func:`regionopt.interrupts.catch`). A stopped
command ends at once once it has cleaned up (:func:`regionopt.interrupts.exit_now`), and a
signal after the command finished only ends the process.
"""

import os
import signal
import sys


def _early(signum: int, frame: object) -> None:
    os._exit(128 + signum)


# A signal the process was started ignoring (SIGINT in the background of a shell without job
# control) stays ignored for the whole run, as Python itself does; see interrupts.catch.
for _sig in (signal.SIGINT, signal.SIGTERM):
    if signal.getsignal(_sig) is not signal.SIG_IGN:
        signal.signal(_sig, _early)

from regionopt import interrupts  # noqa: E402 - after the early handlers, on purpose


def run() -> None:
    """Run the command line and exit with its code (130/143 when stopped by a signal)."""
    interrupts.enable_deadline()
    try:  # the command line installs its own handlers when the command starts
        # lazy: imported inside the try, so that a signal while it loads is handled here
        from regionopt.cli import main

        code = main()
    except KeyboardInterrupt:  # before the command's own handling began
        interrupts.kill_children()
        code = interrupts.EXIT_SIGINT
    except interrupts.Terminated:
        interrupts.kill_children()
        code = interrupts.EXIT_SIGTERM
    except Exception:
        if interrupts.received() is None:
            raise
        # a library turned the signal's exception into one of its own: still an interrupt
        interrupts.kill_children()
        print("regionopt: interrupted", file=sys.stderr)
        code = 1
    sig = interrupts.received()
    if sig is not None and code != 0:
        code = 128 + sig  # stopped by the signal, whatever error it surfaced as
    interrupts.exit_on_signal()  # the work is done: a signal from now on only ends the process
    if code in (interrupts.EXIT_SIGINT, interrupts.EXIT_SIGTERM):
        # stopped and cleaned up: do not let the interpreter's exit wait on a killed pool
        interrupts.exit_now(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
