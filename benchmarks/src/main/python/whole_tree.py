"""Runs a command, then waits for every process it left behind, so that /usr/bin/time around this script counts
the CPU time of the whole process tree.

    python3 whole_tree.py [--split] <command...>

getrusage's "children" figure (what /usr/bin/time reports) holds only processes that were waited for. Under
spark-submit, PySpark's Python worker daemon and its forked workers can outlive the JVM that started them; they
would then be reparented to init and their CPU lost. As a child subreaper (Linux' PR_SET_CHILD_SUBREAPER) this
process adopts such orphans instead and reaps them, so their time lands in its own children's rusage.

--split also samples /proc every 250 ms and prints on stderr the CPU time per command name of the tree (java,
python3), from each process's last sample: an approximate split (up to 250 ms of each process's end is missed);
the total to quote is /usr/bin/time's.
"""
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
ORPHAN_DEADLINE_S = 60


def main(argv):
    split = argv[:1] == ["--split"]
    command = argv[1:] if split else argv
    if not command:
        sys.exit("usage: whole_tree.py [--split] <command...>")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("whole_tree: prctl(PR_SET_CHILD_SUBREAPER) failed, errno %d" % ctypes.get_errno())
    sampler = TreeSampler(os.getpid()) if split else None
    if sampler:
        sampler.start()
    child = subprocess.Popen(command)
    code = child.wait()
    orphans = reap_orphans()
    if orphans:
        sys.stderr.write("[whole-tree] reaped %d process(es) that outlived the command\n" % orphans)
    if sampler:
        sampler.stop()
        sys.stderr.write("[whole-tree] CPU by command, sampled every 250 ms: %s\n" % sampler.summary())
    sys.exit(code)


def reap_orphans():
    """Waits for every adopted process; past the deadline, kills what is left (and says so by the exit code)."""
    reaped = 0
    deadline = time.monotonic() + ORPHAN_DEADLINE_S
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid:
            reaped += 1
            continue
        if time.monotonic() > deadline:
            for left in children_of(os.getpid()):
                os.kill(left, signal.SIGKILL)
            sys.stderr.write("[whole-tree] processes still running %d s after the command: killed\n"
                             % ORPHAN_DEADLINE_S)
            os.waitpid(-1, 0)
            sys.exit(3)
        time.sleep(0.05)


def read_stat(pid):
    with open("/proc/%s/stat" % pid) as stat:
        text = stat.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    # fields[1] is ppid; utime and stime are the 14th and 15th fields of the whole line.
    return name, int(fields[1]), int(fields[11]) + int(fields[12])


def children_of(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = read_stat(entry)[1]
            except (OSError, ValueError, IndexError):
                pass
    return [pid for pid, parent in parents.items() if parent == root]


class TreeSampler(threading.Thread):
    def __init__(self, root):
        super().__init__(daemon=True)
        self.root = root
        self.last = {}  # pid -> (name, cpu ticks)
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.25):
            self.sample()

    def sample(self):
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stats[int(entry)] = read_stat(entry)
                except (OSError, ValueError, IndexError):
                    pass
        tree = {self.root}
        grew = True
        while grew:
            grew = False
            for pid, (_name, parent, _cpu) in stats.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        for pid in tree - {self.root}:
            name, _parent, cpu = stats[pid]
            self.last[pid] = (name, cpu)

    def stop(self):
        self.done.set()
        self.join()

    def summary(self):
        ticks = os.sysconf("SC_CLK_TCK")
        by_name = {}
        for name, cpu in self.last.values():
            count, total = by_name.get(name, (0, 0))
            by_name[name] = (count + 1, total + cpu)
        return "; ".join("%s %d process(es) %.2f s" % (name, count, total / ticks)
                         for name, (count, total) in sorted(by_name.items(), key=lambda item: -item[1][1]))


if __name__ == "__main__":
    main(sys.argv[1:])
