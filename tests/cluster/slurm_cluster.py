"""A single-node SLURM cluster in a folder: munged, MariaDB, slurmdbd, slurmctld and slurmd from Debian's packages.

Everything (configs, keys, sockets, state, logs, database) lives under one folder; the daemons run in
the foreground as children of this process and are stopped by their process ids. Needs root (the
daemons' default users and the munge key) and the packages slurm-wlm, slurmdbd, mariadb-server, munge.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import yaml

DAEMONS = ("munged", "mariadbd", "mariadb-install-db", "slurmdbd", "slurmctld", "slurmd", "sacctmgr", "sbatch", "sacct")
CLUSTER = "bindscope"


def missing_programs() -> list[str]:
    return [p for p in DAEMONS if shutil.which(p) is None and not Path("/usr/sbin", p).exists()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _which(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin") / name)


class SlurmCluster:
    """Start with :meth:`start`, stop with :meth:`stop`; ``env`` points SLURM's client commands at it."""

    def __init__(self, root: Path, cpus: int, memory_mb: int):
        self.root = Path(root)
        self.cpus, self.memory_mb = cpus, memory_mb
        self.processes: dict[str, subprocess.Popen] = {}
        self.host = socket.gethostname().split(".")[0]
        self.ports = {name: _free_port() for name in ("mysql", "dbd", "ctld", "slurmd")}
        for sub in ("munge", "db", "state", "spool", "log", "run", "bin"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.conf = self.root / "slurm.conf"
        self.env = os.environ | {"SLURM_CONF": str(self.conf), "PATH": f"{self.root / 'bin'}{os.pathsep}{os.environ['PATH']}"}

    # --- configuration -------------------------------------------------------------------
    def _write_configs(self) -> None:
        r = self.root
        auth = f"socket={r / 'munge' / 'munge.socket'}"
        self.conf.write_text(
            f"""ClusterName={CLUSTER}
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={self.ports["ctld"]}
SlurmdPort={self.ports["slurmd"]}
AuthType=auth/munge
AuthInfo={auth}
SlurmUser=root
SlurmdUser=root
StateSaveLocation={r / "state"}
SlurmdSpoolDir={r / "spool"}
SlurmctldPidFile={r / "run" / "slurmctld.pid"}
SlurmdPidFile={r / "run" / "slurmd.pid"}
SlurmctldLogFile={r / "log" / "slurmctld.log"}
SlurmdLogFile={r / "log" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStoreFlags=job_comment
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort={self.ports["dbd"]}
AccountingStoragePass={r / "munge" / "munge.socket"}
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
MinJobAge=600
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.memory_mb} State=UNKNOWN
PartitionName=main Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
"""
        )
        dbd = r / "slurmdbd.conf"
        dbd.write_text(
            f"""AuthType=auth/munge
AuthInfo={auth}
DbdHost={self.host}
DbdAddr=127.0.0.1
DbdPort={self.ports["dbd"]}
SlurmUser=root
PidFile={r / "run" / "slurmdbd.pid"}
LogFile={r / "log" / "slurmdbd.log"}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={self.ports["mysql"]}
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
"""
        )
        dbd.chmod(0o600)
        # Snakemake's job step plugin runs `srun` inside each job with every SLURM_* variable removed,
        # SLURM_CONF included; on a real cluster srun finds /etc/slurm/slurm.conf. This srun finds ours.
        shim = r / "bin" / "srun"
        shim.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf} exec {shutil.which("srun") or "/usr/bin/srun"} "$@"\n')
        shim.chmod(0o755)
        key = r / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)

    # --- daemons ---------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / "log" / f"{name}.out", "w")
        self.processes[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)

    def _wait(self, what: str, ready, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [n for n, p in self.processes.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead} exited while waiting for {what}: see {self.root / 'log'}")
            if ready():
                return
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}: see {self.root / 'log'}")

    def _ok(self, argv: list[str]) -> bool:
        return subprocess.run(argv, capture_output=True, env=self.env, timeout=30).returncode == 0

    def _sql(self, statement: str) -> None:
        sock = self.root / "run" / "mysqld.sock"
        subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "-e", statement], check=True, capture_output=True, timeout=30)

    def start(self) -> None:
        r = self.root
        self._write_configs()
        munge = [
            f"--socket={r / 'munge' / 'munge.socket'}",
            f"--key-file={r / 'munge' / 'munge.key'}",
            f"--seed-file={r / 'munge' / 'seed'}",
        ]
        munge += [f"--pid-file={r / 'run' / 'munged.pid'}", f"--log-file={r / 'log' / 'munged.log'}"]
        self._spawn("munged", [_which("munged"), "--foreground", "--force", *munge])
        self._wait("munge's socket", lambda: (r / "munge" / "munge.socket").exists())
        install = [_which("mariadb-install-db"), f"--datadir={r / 'db'}", "--user=root", "--auth-root-authentication-method=socket"]
        subprocess.run([*install, "--skip-test-db"], check=True, capture_output=True, timeout=120)
        sock = r / "run" / "mysqld.sock"
        mysql = [f"--datadir={r / 'db'}", "--user=root", f"--socket={sock}", f"--port={self.ports['mysql']}", "--bind-address=127.0.0.1"]
        mysql += [
            f"--pid-file={r / 'run' / 'mysqld.pid'}",
            "--innodb-buffer-pool-size=64M",
            "--innodb-lock-wait-timeout=900",
            "--skip-log-bin",
        ]
        self._spawn("mariadbd", [_which("mariadbd"), "--no-defaults", *mysql])
        self._wait("MariaDB", lambda: sock.exists() and self._ok(["mariadb", f"--socket={sock}", "-uroot", "-e", "select 1"]))
        self._sql("CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';")
        self._sql("GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';")
        self._spawn("slurmdbd", [_which("slurmdbd"), "-D"])  # reads slurmdbd.conf beside $SLURM_CONF
        self._wait("slurmdbd", lambda: self._ok(["sacctmgr", "-n", "list", "cluster"]))
        subprocess.run(["sacctmgr", "-i", "add", "cluster", CLUSTER], capture_output=True, env=self.env, timeout=30)
        self._spawn("slurmctld", [_which("slurmctld"), "-D", "-f", str(self.conf)])
        self._wait("slurmctld", lambda: self._ok(["scontrol", "ping"]))
        self._spawn("slurmd", [_which("slurmd"), "-D", "-f", str(self.conf), "-N", self.host])
        self._wait("the node to be idle", lambda: "idle" in self._node_state())

    def _node_state(self) -> str:
        result = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env, timeout=30)
        return result.stdout.strip()

    def stop(self) -> None:
        """Stop the daemons this object started, newest first, by their process ids."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()

    def sacct(self) -> list[dict[str, str]]:
        """Every job step the accounting database holds: JobID, JobName, State, Comment."""
        fields = ["JobID", "JobName%60", "State", "Comment%200"]
        result = subprocess.run(
            ["sacct", "-a", "-X", "-P", "-n", "--starttime", "2000-01-01", "-o", ",".join(fields)],
            capture_output=True, text=True, env=self.env, check=True, timeout=60,
        )  # fmt: skip
        names = [f.split("%")[0] for f in fields]
        return [dict(zip(names, line.split("|"), strict=False)) for line in result.stdout.splitlines() if line]


def node_profile(shipped: Path, out: Path, cpus: int, memory_mb: int) -> Path:
    """A copy of a shipped SLURM profile that fits this node: no GPU requests (it has none), memory
    and threads capped to the node, no account (the test cluster has none), status checks every few
    seconds instead of the plugin's 40 s start. Everything else as shipped. Returns the folder."""
    profile = yaml.safe_load((shipped / "config.yaml").read_text())
    for resources in profile.get("set-resources", {}).values():
        resources.pop("gpu", None)
        resources.pop("gpu_model", None)
        resources["mem_mb"] = min(resources.get("mem_mb", memory_mb), memory_mb // 2)
    profile["default-resources"]["mem_mb"] = min(profile["default-resources"].get("mem_mb", 1000), memory_mb // 2)
    profile["set-threads"] = {rule: min(n, cpus) for rule, n in profile.get("set-threads", {}).items()}
    profile["slurm-init-seconds-before-status-checks"] = 2
    profile["slurm-no-account"] = True
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return out


def main() -> None:
    """``python tests/cluster/slurm_cluster.py FOLDER``: start the cluster, print its environment, stop it on Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-mb", type=int, default=8000)
    args = parser.parse_args()
    cluster = SlurmCluster(args.folder, args.cpus, args.memory_mb)
    try:
        cluster.start()
        print(f"SLURM cluster {CLUSTER!r} up (node {cluster.host}). In another shell:", flush=True)
        shipped = Path(__file__).resolve().parents[2] / "profiles" / "slurm"
        profile = node_profile(shipped, cluster.root / "profile", args.cpus, args.memory_mb)
        print(f"  export SLURM_CONF={cluster.conf} PATH={cluster.root / 'bin'}:$PATH", flush=True)
        print(f"and run the workflow with --workflow-profile {profile} (profiles/slurm fitted to this node).", flush=True)
        print("Ctrl-C stops it.", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
