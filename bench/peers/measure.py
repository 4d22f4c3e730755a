"""Run one benchmark contender as a child process and measure it the same way for everyone.

usage: python measure.py <stdout-file> <stderr-file> <timeout-seconds> -- <command> [args...]

Prints one JSON object: wall_s (spawn to exit, this wrapper's own start-up excluded), user_s and
sys_s (CPU seconds of the child), max_rss_kb (the child's peak resident set, ru_maxrss from
wait4: kilobytes on Linux; worker threads are in the same process, so they are included), exit
status, and timed_out (the child was killed after the timeout). Standard library only.
"""
import json
import os
import signal
import sys
import time


def main(argv):
    stdout_path, stderr_path, timeout = argv[1], argv[2], float(argv[3])
    command = argv[argv.index("--") + 1 :]
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
    timed_out = False
    while True:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited == pid:
            break
        if time.perf_counter() - started > timeout:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            waited, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - started
    result = {
        "wall_s": wall,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "max_rss_kb": usage.ru_maxrss,
        "exit": os.waitstatus_to_exitcode(status),
        "timed_out": timed_out,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


main(sys.argv)
