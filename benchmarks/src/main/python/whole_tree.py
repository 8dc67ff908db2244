"""Runs a command and accounts for the CPU time of its whole process tree, which getrusage alone does not.

    python3 whole_tree.py [--split] <command...>

On its last stderr line it prints
    [whole-tree] CPU s: waited-for <c> auto-reaped <a> (<n> processes) self <s>
<c> + <a> is the tree's CPU (user + system); <s> is this script's own, not part of it.

getrusage's "children" figure (what /usr/bin/time reports) holds only processes that were waited for, and two
kinds of PySpark's processes are not:
  - PySpark's Python worker daemon ignores SIGCHLD, so the kernel reaps its forked workers (where Python UDFs run)
    at once and their time is added to nobody's. This script samples /proc every 250 ms and adds the last sampled
    CPU time of every process whose parent ignored SIGCHLD ("auto-reaped"). Workers are long-lived and idle at
    the end; a process that lived less than 250 ms, or its last 250 ms, is missed.
  - Processes that outlive the JVM that started them would be reparented to init. As a child subreaper (Linux'
    PR_SET_CHILD_SUBREAPER) this script adopts them instead and waits for them: they are in "waited-for".

--split also prints the tree's CPU per command name (java, python3), from each process's last sample: an
approximate split.
"""
import ctypes
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
SIGCHLD_BIT = 1 << (signal.SIGCHLD - 1)
SAMPLE_SECONDS = 0.25
ORPHAN_DEADLINE_S = 60


def main(argv):
    split = argv[:1] == ["--split"]
    command = argv[1:] if split else argv
    if not command:
        sys.exit("usage: whole_tree.py [--split] <command...>")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("whole_tree: prctl(PR_SET_CHILD_SUBREAPER) failed, errno %d" % ctypes.get_errno())
    sampler = TreeSampler(os.getpid())
    sampler.start()
    child = subprocess.Popen(command)
    code = child.wait()
    ended = time.monotonic()
    orphans = reap_orphans()
    sampler.stop()
    if orphans:
        sys.stderr.write("[whole-tree] reaped %d process(es) that outlived the command: %s\n" % (
            len(orphans), ", ".join("%s +%.2f s" % (name, at - ended) for _pid, name, at in orphans)))
    if split:
        sys.stderr.write("[whole-tree] CPU by command, sampled every 250 ms: %s\n" % sampler.by_command())
    auto_reaped, count = sampler.auto_reaped(exclude={pid for pid, _name, _at in orphans})
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write("[whole-tree] CPU s: waited-for %.2f auto-reaped %.2f (%d processes) self %.2f\n" % (
        children.ru_utime + children.ru_stime, auto_reaped, count, own.ru_utime + own.ru_stime))
    sys.exit(code)


def reap_orphans():
    """Waits for every adopted process, as (pid, command name, when it ended); past the deadline, kills what is
    left (and says so by the exit code)."""
    reaped = []
    deadline = time.monotonic() + ORPHAN_DEADLINE_S
    while True:
        try:
            # Peek first (WNOWAIT): a zombie's /proc entry still names its command until it is reaped.
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return reaped
        if ended is not None and ended.si_pid:
            try:
                name = read_stat(ended.si_pid)[0]
            except (OSError, ValueError, IndexError):
                name = "?"
            os.waitpid(ended.si_pid, 0)
            reaped.append((ended.si_pid, name, time.monotonic()))
            continue
        if time.monotonic() > deadline:
            for left in TreeSampler.scan():
                if left[1] == os.getpid():
                    os.kill(left[0], signal.SIGKILL)
            sys.stderr.write("[whole-tree] processes still running %d s after the command: killed\n"
                             % ORPHAN_DEADLINE_S)
            os.waitpid(-1, 0)
            sys.exit(3)
        time.sleep(0.05)


def read_stat(pid):
    """(command name, parent pid, own CPU ticks, waited-for children's CPU ticks) from /proc/<pid>/stat."""
    with open("/proc/%s/stat" % pid) as stat:
        text = stat.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    # After the name: state, ppid, ...; utime, stime, cutime, cstime are the 14th to 17th fields of the line.
    fields = text[text.rindex(")") + 2:].split()
    return name, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def ignores_sigchld(pid):
    with open("/proc/%s/status" % pid) as status:
        for line in status:
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & SIGCHLD_BIT)
    return False


class TreeSampler(threading.Thread):
    def __init__(self, root):
        super().__init__(daemon=True)
        self.root = root
        # pid -> (name, own CPU ticks, its waited-for children's, parent ignored SIGCHLD) at the last sample
        self.last = {}
        self.done = threading.Event()
        self.lock = threading.Lock()

    @staticmethod
    def scan():
        """(pid, ppid, name, own ticks, children's ticks) of every process."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    name, parent, own, children = read_stat(entry)
                    found.append((int(entry), parent, name, own, children))
                except (OSError, ValueError, IndexError):
                    pass
        return found

    def run(self):
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self):
        processes = {p[0]: p for p in self.scan()}
        tree = {self.root}
        grew = True
        while grew:
            grew = False
            for pid, process in processes.items():
                if process[1] in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        ignoring = {}
        with self.lock:
            for pid in tree - {self.root}:
                _pid, parent, name, own, children = processes[pid]
                if parent not in ignoring:
                    try:
                        ignoring[parent] = parent != self.root and ignores_sigchld(parent)
                    except OSError:
                        ignoring[parent] = False
                self.last[pid] = (name, own, children, ignoring[parent])

    def stop(self):
        self.done.set()
        self.join()

    def auto_reaped(self, exclude):
        """CPU seconds and count of the processes whose parent ignored SIGCHLD (and that this script did not reap)."""
        ticks = os.sysconf("SC_CLK_TCK")
        with self.lock:
            chosen = [own + children for pid, (_name, own, children, ignored) in self.last.items()
                      if ignored and pid not in exclude]
        return sum(chosen) / float(ticks), len(chosen)

    def by_command(self):
        ticks = os.sysconf("SC_CLK_TCK")
        by_name = {}
        with self.lock:
            for name, own, _children, _ignored in self.last.values():
                count, total = by_name.get(name, (0, 0))
                by_name[name] = (count + 1, total + own)
        return "; ".join("%s %d process(es) %.2f s" % (name, count, total / float(ticks))
                         for name, (count, total) in sorted(by_name.items(), key=lambda item: -item[1][1]))


if __name__ == "__main__":
    main(sys.argv[1:])
