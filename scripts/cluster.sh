#!/usr/bin/env bash
# A private single-node Slurm (22.05) for development and tests, in a git-ignored directory.
#
#   bash scripts/cluster.sh install|up|down|status|env        (or: npm run --silent cluster -- up)
#   eval "$(bash scripts/cluster.sh up)"                        start (if needed) and load the env
#
# Everything lives in $CLUSTER_DIR (default: <repo>/.cluster) and runs as root, with its own
# munge key/socket, MariaDB instance, ports and pid files; nothing in /etc/slurm, /etc/munge or
# /etc/mysql is read or written, no system service is started, and `down` only signals the pids
# recorded in our own pid files (a system Slurm may be running on the same host).
#
# Ports (all TCP; MariaDB is bound to 127.0.0.1, Slurm daemons listen on all addresses):
#   16306  mariadbd           (StorageHost=127.0.0.1 StoragePort=16306)
#   16817  slurmctld          (SlurmctldPort)
#   16818  slurmd             (SlurmdPort)
#   16819  slurmdbd           (DbdPort / AccountingStoragePort)
# Paths under $CLUSTER_DIR:
#   etc/slurm.conf            SLURM_CONF; ClusterName=schedrest, partitions debug (default) and long
#                             (MaxTime 1 day), one node = short hostname with Features=fast,ssd and
#                             Gres=gpu:fake:2, Licenses=matlab:4; reservation sr-lic (1 matlab
#                             license for root and alice, no nodes) made once slurmctld is up
#   etc/gres.conf             the node's 2 GPUs: AutoDetect=off, File=dev/fakegpu[0-1] (empty files)
#   etc/slurmdbd.conf         (0600) read by slurmdbd from the directory of SLURM_CONF
#   etc/plugstack.conf        empty, so the system /etc/slurm/plugstack.conf is never read
#   etc/db.pass               (0600) password of the MariaDB user `slurm`
#   jwt_hs256.key             (0600) 32 random bytes; AuthAltTypes=auth/jwt (scontrol token, slurmrestd)
#   jwks.json, jwks_rs256.pem a JWKS with one RS256 key (kid schedrest-test) and its private key
#                             (0600), standing in for an OIDC provider: AuthAltParameters=jwks=
#   munge/munge.key           (0400) our munge key; munge/munge.socket.2 our munged socket
#   mysql/                    MariaDB datadir (database slurm_acct_db)
#   state/                    StateSaveLocation;  spool/slurmd/  SlurmdSpoolDir
#   run/*.pid run/mysql.sock  pid files of all five daemons, the MariaDB socket
#   log/*.log                 daemon logs (log/*.out: their stdout/stderr, e.g. early fatal errors)
#
# `up` prints progress on stderr and, as its last stdout lines, the same export lines as `env`.
# It is idempotent and serialised by a lock; when the generated slurm.conf/slurmdbd.conf differ
# from the running ones (new script version, hostname, memory) it restarts those daemons.
# Environment: CLUSTER_DIR (state directory), CLUSTER_PORT_BASE (default 16000; every port above
# is base + 306/817/818/819, remembered in $CLUSTER_DIR/port-base), CLUSTER_WAIT (default 60 s).
# Jobs run as root or as any local user (their output lands in their working directory); users
# without an association in slurmdbd are accepted (no AccountingStorageEnforce); the test users
# alice and bob get one (account root), as a site's users do.
# Profiles: CLUSTER_PROFILE=scale (with CLUSTER_SCALE_NODES, default 5000) adds that many simulated
# nodes sim[00001-N] in a partition `sim`: State=CLOUD nodes, powered down from the start, which
# slurmctld neither pings nor expects a slurmd for (power saving with SuspendProgram/ResumeProgram
# /bin/true; the real node is excluded from it), shown to every command by PrivateData=cloud; and
# raises MaxJobCount to 50000. debug and long then list the real node by name instead of ALL. Only
# for `npm run bench -- --scale`: the next `up` without CLUSTER_PROFILE writes the normal slurm.conf
# again (byte for byte) and restarts slurmctld and slurmd, so nothing of it stays.
# Users: `up` creates the test users alice and bob (homes 0755 under /home) and the gateway's
# service user schedrest (no login, no home), the way a site would run `--auth=jwt` (SECURITY.md).
set -euo pipefail
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CLUSTER_DIR:-$ROOT/.cluster}"
[[ "$DIR" = /* ]] || DIR="$PWD/$DIR"

CLUSTER=schedrest
PARTITION=debug
PARTITION2=long
RESERVATION=sr-lic
# CLUSTER_PORT_BASE moves all four ports (e.g. 17000: 17306, 17817-17819) for a second instance;
# it is remembered in $DIR/port-base.
PORT_BASE="${CLUSTER_PORT_BASE:-$(cat "$DIR/port-base" 2>/dev/null || echo 16000)}"
[[ "$PORT_BASE" =~ ^[1-5][0-9]000$ ]] || die "CLUSTER_PORT_BASE must be a multiple of 1000 in 10000-59000"
MYSQL_PORT=$((PORT_BASE + 306))
CTLD_PORT=$((PORT_BASE + 817))
SLURMD_PORT=$((PORT_BASE + 818))
DBD_PORT=$((PORT_BASE + 819))
# chromium: the dashboard's browser test (test/browser) drives Debian's Chromium; it is not a daemon here.
PACKAGES=(slurm-wlm slurmdbd munge mariadb-server libslurm-dev slurmrestd chromium)
BINARIES=(munged mungekey munge unmunge mariadbd mariadb-install-db mariadb slurmctld slurmd slurmdbd sacctmgr
  scontrol sinfo sbatch sacct)
WAIT="${CLUSTER_WAIT:-60}" # seconds, for each daemon to answer
PROFILE="${CLUSTER_PROFILE:-normal}"
[[ "$PROFILE" == normal || "$PROFILE" == scale ]] || die "CLUSTER_PROFILE must be normal or scale, got '$PROFILE'"
SCALE_NODES="${CLUSTER_SCALE_NODES:-5000}"
[[ "$SCALE_NODES" =~ ^[1-9][0-9]{0,4}$ ]] && ((SCALE_NODES <= 99999)) || die "CLUSTER_SCALE_NODES must be 1-99999, got '$SCALE_NODES'"

ETC="$DIR/etc" LOGD="$DIR/log" RUN="$DIR/run" MUNGED="$DIR/munge" DATA="$DIR/mysql"
CONF="$ETC/slurm.conf" DBD_CONF="$ETC/slurmdbd.conf" JWT_KEY="$DIR/jwt_hs256.key"
JWKS="$DIR/jwks.json" JWKS_PRIVATE="$DIR/jwks_rs256.pem"
MUNGE_KEY="$MUNGED/munge.key" MUNGE_SOCK="$MUNGED/munge.socket.2" MYSQL_SOCK="$RUN/mysql.sock"
DAEMONS=(munged mariadbd slurmdbd slurmctld slurmd) # start order

# Prints the last lines of a log file on stderr (used before dying).
show_log() {
  local f
  for f in "$@"; do
    [[ -s "$f" ]] || continue
    printf -- '--- last lines of %s ---\n' "$f" >&2
    tail -n 15 "$f" >&2
  done
}

print_env() {
  printf 'export SLURM_CONF=%q\n' "$CONF"
}

need_root() { [[ $EUID -eq 0 ]] || die "must run as root (slurmd starts jobs as their owners)"; }

# ---------------------------------------------------------------------------------------------
# install

packages_missing() {
  local p st missing=()
  for p in "${PACKAGES[@]}"; do
    st="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [[ "$st" == "install ok installed" ]] || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

cmd_install() {
  local missing
  missing="$(packages_missing)"
  [[ -z "$missing" ]] && { log "packages already installed: ${PACKAGES[*]}"; return 0; }
  need_root
  log "installing: $(echo $missing)"
  # Keep the packages' postinst scripts from starting system munge/MariaDB/Slurm services.
  if [[ ! -e $POLICY_RC ]]; then
    printf '#!/bin/sh\n# added by scheduler-rest scripts/cluster.sh during apt-get install\nexit 101\n' >"$POLICY_RC"
    chmod 755 "$POLICY_RC"
    trap 'rm -f "$POLICY_RC"' EXIT
  fi
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}" >&2
}
POLICY_RC=/usr/sbin/policy-rc.d

ensure_binaries() {
  local b
  for b in "${BINARIES[@]}"; do
    command -v "$b" >/dev/null || { cmd_install; break; }
  done
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null || die "$b not found after install"; done
}

# ---------------------------------------------------------------------------------------------
# processes: only ever the pids in our own pid files, checked to be the expected binary and ours

pidfile() { echo "$RUN/$1.pid"; }

# Prints the pid of daemon $1 if it is alive, is that binary and was started for $DIR.
daemon_pid() {
  local f pid exe
  f="$(pidfile "$1")"
  [[ -r "$f" ]] || return 1
  pid="$(tr -dc 0-9 <"$f")"
  [[ -n "$pid" && -d /proc/$pid ]] || return 1
  # Debian installs e.g. /usr/sbin/slurmctld as an alternatives link to slurmctld-wlm.
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [[ -n "$exe" && "$exe" == "$(readlink -f "$(command -v "$1")")" ]] || return 1
  # Every daemon is started with $DIR in its argv or (slurmdbd) in SLURM_CONF.
  grep -qaF "$DIR/" "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null || return 1
  echo "$pid"
}

alive() { daemon_pid "$1" >/dev/null; }

# Runs a daemon detached, with a clean environment and stdio in log/<name>.out.
launch() {
  local name="$1"; shift
  rm -f "$(pidfile "$name")" # stale: alive() was false
  (
    cd "$DIR"
    exec 9>&- # the `up` lock must not outlive this script
    exec env -i PATH="/usr/sbin:/usr/bin:/sbin:/bin" HOME=/root LANG=C.UTF-8 SLURM_CONF="$CONF" \
      setsid "$@" </dev/null >>"$LOGD/$name.out" 2>&1
  ) &
}

# gone <daemon> <start time>: true when its pid file names no live process of ours (daemons write
# it after forking), or there is still no pid file 15 s after the start.
gone() {
  alive "$1" && return 1
  [[ -s "$(pidfile "$1")" ]] || ((SECONDS - $2 > 15)) || return 1
  sleep 0.5
  ! alive "$1"
}

# wait_for <desc> <daemon> <logfile> <cmd...>: polls cmd until it succeeds, the daemon dies, or WAIT s.
wait_for() {
  local desc="$1" daemon="$2" logf="$3"; shift 3
  local deadline=$((SECONDS + WAIT)) started=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$daemon" ]] && gone "$daemon" "$started"; then
      show_log "$logf" "$LOGD/$daemon.out"
      die "$daemon exited while waiting for $desc; see $logf"
    fi
    ((SECONDS < deadline)) || { show_log "$logf" "$LOGD/$daemon.out"; die "timed out after ${WAIT}s waiting for $desc; see $logf"; }
    sleep 0.2
  done
}

# stop_daemons <name...>: SIGTERM to each running one, then waits (30 s, then SIGKILL) for all.
stop_daemons() {
  local name pid i pids=() names=()
  for name in "$@"; do
    if pid="$(daemon_pid "$name")"; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      kill -CONT "$pid" 2>/dev/null || true # one a fault test left stopped (SIGSTOP) handles TERM only once continued
      pids+=("$pid") names+=("$name")
    fi
    rm -f "$(pidfile "$name")" # unless alive, it is stale
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    pid="${pids[$i]}"
    local deadline=$((SECONDS + 30))
    while [[ -d /proc/$pid ]] && ((SECONDS < deadline)); do sleep 0.1; done
    if [[ -d /proc/$pid ]]; then
      log "${names[$i]} (pid $pid) did not stop in 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# configuration

# write_if_changed <file> <mode>: stdin -> file, only if the content differs. Returns 0 if changed.
write_if_changed() {
  local f="$1" mode="$2" tmp
  tmp="$(mktemp "$f.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f "$f" ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  mv -f "$tmp" "$f"
  return 0
}

random_file() { # random_file <path> <bytes> <mode>
  [[ -s "$1" ]] && { chmod "$3" "$1"; return 0; }
  (umask 077 && head -c "$2" /dev/urandom >"$1.tmp") && chmod "$3" "$1.tmp" && mv -f "$1.tmp" "$1"
}

NODE="$(hostname -s 2>/dev/null || hostname)"

node_line() {
  local cpus mem topo="" c
  cpus="$(nproc)"
  mem="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
  mem=$((mem * 95 / 100)) # a bit below what slurmd reports, or the node is drained (Low RealMemory)
  # Use slurmd's view of sockets/cores when it agrees with nproc (CR_Core_Memory counts cores).
  c="$(slurmd -C 2>/dev/null | head -n 1 || true)"
  if [[ "$c" =~ CPUs=([0-9]+)\ Boards=([0-9]+)\ SocketsPerBoard=([0-9]+)\ CoresPerSocket=([0-9]+)\ ThreadsPerCore=([0-9]+) ]] &&
    [[ "${BASH_REMATCH[1]}" == "$cpus" ]]; then
    topo=" Boards=${BASH_REMATCH[2]} SocketsPerBoard=${BASH_REMATCH[3]} CoresPerSocket=${BASH_REMATCH[4]} ThreadsPerCore=${BASH_REMATCH[5]}"
  fi
  # Two GPUs without hardware (gres.conf: a count, no device files) and two node features.
  echo "NodeName=$NODE NodeHostname=$NODE NodeAddr=127.0.0.1 CPUs=$cpus$topo RealMemory=$mem Gres=gpu:fake:2 Features=fast,ssd State=UNKNOWN"
}

# The scale profile's settings and simulated nodes, each line after a newline; nothing otherwise,
# so that the normal slurm.conf stays byte for byte what it was.
scale_settings() {
  [[ "$PROFILE" == scale ]] || return 0
  printf '\n%s' \
    "# Profile scale (npm run bench -- --scale): $SCALE_NODES simulated nodes, never powered up." \
    "PrivateData=cloud" \
    "SuspendProgram=/bin/true" \
    "ResumeProgram=/bin/true" \
    "SuspendTime=3600" \
    "SuspendExcNodes=$NODE" \
    "ResumeTimeout=60"
}
scale_nodes() {
  [[ "$PROFILE" == scale ]] || return 0
  local last
  last="$(printf 'sim%05d' "$SCALE_NODES")"
  printf '\n%s' \
    "NodeName=sim[00001-${last#sim}] CPUs=64 RealMemory=257000 Features=sim State=CLOUD" \
    "PartitionName=sim Nodes=sim[00001-${last#sim}] MaxTime=INFINITE State=UP"
}

# Writes every config file; prints the names of the daemons whose config changed.
write_configs() {
  local max_jobs=20000 part_nodes=ALL
  [[ "$PROFILE" == scale ]] && max_jobs=50000 part_nodes="$NODE"

  local pass changed=()
  random_file "$ETC/db.pass.bin" 18 0600
  pass="$(od -An -tx1 "$ETC/db.pass.bin" | tr -d ' \n')"
  printf '%s\n' "$pass" | write_if_changed "$ETC/db.pass" 0600 || true
  : | write_if_changed "$ETC/plugstack.conf" 0644 || true

  write_if_changed "$CONF" 0644 <<EOF && changed+=(slurmctld slurmd)
# Generated by scripts/cluster.sh; edits are overwritten by the next \`up\`.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
CryptoType=crypto/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$JWT_KEY,jwks=$JWKS
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOGD/slurmctld.log
SlurmdLogFile=$LOGD/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$ETC/plugstack.conf
MailProg=/bin/true
# In a container: no cgroups.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
MpiDefault=none
SwitchType=switch/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
# Connections to slurmdbd take their munge socket from here, not from AuthInfo (22.05).
AccountingStoragePass=socket=$MUNGE_SOCK
AccountingStorageTRES=gres/gpu
JobCompType=jobcomp/none
GresTypes=gpu
Licenses=matlab:4
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, a job that asks for no memory gets the whole node and runs alone.
DefMemPerCPU=512
MaxJobCount=$max_jobs
MaxArraySize=10001$(scale_settings)
MinJobAge=300
ReturnToService=2
InactiveLimit=0
KillWait=5
Waittime=0
SlurmctldTimeout=120
SlurmdTimeout=300
$(node_line)$(scale_nodes)
PartitionName=$PARTITION Nodes=$part_nodes Default=YES MaxTime=INFINITE State=UP
PartitionName=$PARTITION2 Nodes=$part_nodes MaxTime=1-00:00:00 State=UP
EOF

  # GPUs counted, not detected: there are none (AutoDetect=off; the files are empty stand-ins).
  write_if_changed "$ETC/gres.conf" 0644 <<EOF && changed+=(slurmctld slurmd)
# Generated by scripts/cluster.sh; edits are overwritten by the next \`up\`.
AutoDetect=off
NodeName=$NODE Name=gpu Type=fake File=$DIR/dev/fakegpu[0-1]
EOF

  write_if_changed "$DBD_CONF" 0600 <<EOF && changed+=(slurmdbd)
# Generated by scripts/cluster.sh; edits are overwritten by the next \`up\`.
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$JWT_KEY
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$LOGD/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$MYSQL_PORT
StorageUser=slurm
StoragePass=$pass
StorageLoc=slurm_acct_db
EOF
  printf '%s\n' "${changed[@]}"
}

make_dirs() {
  mkdir -p "$DIR" "$ETC" "$LOGD" "$RUN" "$MUNGED" "$DIR/state" "$DIR/spool/slurmd" "$DIR/tmp"
  # Users' jobs need to reach the munge socket, slurm.conf and their batch script in the spool.
  chmod 0755 "$DIR" "$ETC" "$LOGD" "$RUN" "$MUNGED" "$DIR/spool" "$DIR/spool/slurmd"
  chmod 0700 "$DIR/state"
  chmod 1777 "$DIR/tmp"
  # Stand-ins for two GPU device files (gres.conf File=): slurmd counts a GPU per file it finds.
  mkdir -p "$DIR/dev" && touch "$DIR/dev/fakegpu0" "$DIR/dev/fakegpu1"
  local d="$DIR"
  while [[ "$d" != / ]]; do
    d="$(dirname "$d")"
    [[ $(($(stat -c '%#a' "$d") & 8#001)) -ne 0 ]] ||
      log "warning: $d is not searchable by other users: jobs of ordinary users will fail"
  done
}

# ---------------------------------------------------------------------------------------------
# daemons

munge_ok() { munge -S "$MUNGE_SOCK" -n </dev/null | unmunge -S "$MUNGE_SOCK" >/dev/null; }

start_munged() {
  alive munged && return 0
  if [[ ! -s "$MUNGE_KEY" ]]; then
    mungekey --create --keyfile="$MUNGE_KEY" 2>/dev/null ||
      random_file "$MUNGE_KEY" 1024 0400
  fi
  chmod 0400 "$MUNGE_KEY"
  rm -f "$MUNGE_SOCK" "$MUNGE_SOCK.lock"
  log "starting munged"
  # --force: munged refuses to start when a parent of CLUSTER_DIR is group/world-writable without
  # the sticky bit. --num-threads: the default 2 is slurmctld's bottleneck under many CLI calls.
  launch munged munged --force --num-threads=10 --socket="$MUNGE_SOCK" --key-file="$MUNGE_KEY" \
    --pid-file="$(pidfile munged)" --log-file="$LOGD/munged.log" --seed-file="$MUNGED/munged.seed"
  wait_for "munged to answer on $MUNGE_SOCK" munged "$LOGD/munged.log" munge_ok
}

sql() { mariadb --no-defaults -S "$MYSQL_SOCK" -u root -N -B "$@"; }

start_mariadb() {
  alive mariadbd && return 0
  if [[ ! -d "$DATA/mysql" ]]; then
    log "initialising MariaDB in $DATA"
    rm -rf "$DATA"
    mariadb-install-db --no-defaults --datadir="$DATA" --user=root --auth-root-authentication-method=socket \
      --skip-test-db --skip-name-resolve >"$LOGD/mariadb-install.log" 2>&1 ||
      { show_log "$LOGD/mariadb-install.log"; die "mariadb-install-db failed; see $LOGD/mariadb-install.log"; }
  fi
  rm -f "$MYSQL_SOCK"
  log "starting mariadbd on 127.0.0.1:$MYSQL_PORT"
  launch mariadbd mariadbd --no-defaults --datadir="$DATA" --user=root \
    --socket="$MYSQL_SOCK" --port="$MYSQL_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$RUN/mariadbd.pid" --log-error="$LOGD/mariadb.log" --tmpdir="$DIR/tmp" \
    --skip-log-bin --innodb-buffer-pool-size=1024M \
    --innodb-lock-wait-timeout=900 --max-connections=200
  wait_for "mariadbd to answer on $MYSQL_SOCK" mariadbd "$LOGD/mariadb.log" sql -e 'SELECT 1'
  local pass
  pass="$(cat "$ETC/db.pass")"
  sql <<EOF
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
FLUSH PRIVILEGES;
EOF
}

start_slurmdbd() {
  alive slurmdbd && return 0
  log "starting slurmdbd on port $DBD_PORT"
  launch slurmdbd slurmdbd
  wait_for "slurmdbd to answer on port $DBD_PORT" slurmdbd "$LOGD/slurmdbd.log" \
    env SLURM_CONF="$CONF" sacctmgr -n -P list cluster format=Cluster
  if [[ -z "$(SLURM_CONF="$CONF" sacctmgr -n -P list cluster "$CLUSTER" format=Cluster)" ]]; then
    log "registering cluster $CLUSTER in slurmdbd"
    SLURM_CONF="$CONF" sacctmgr -i add cluster "$CLUSTER" >&2
  fi
  # `add cluster` creates the root account and user; make sure they exist (idempotent).
  SLURM_CONF="$CONF" sacctmgr -i add account root cluster="$CLUSTER" >/dev/null 2>&1 || true
  SLURM_CONF="$CONF" sacctmgr -i add user root account=root cluster="$CLUSTER" >/dev/null 2>&1 || true
  # The test users too, as a site's users are: slurmdbd's PrivateData shows a user only the jobs
  # of their own associations (nothing at all without one; test/security/history-privacy.test.ts).
  SLURM_CONF="$CONF" sacctmgr -i add user "$(IFS=,; echo "${TEST_USERS[*]}")" account=root cluster="$CLUSTER" >/dev/null 2>&1 || true
}

start_slurmctld() {
  alive slurmctld && return 0
  log "starting slurmctld on port $CTLD_PORT"
  launch slurmctld slurmctld -f "$CONF"
  wait_for "slurmctld to answer (scontrol ping)" slurmctld "$LOGD/slurmctld.log" ping_up
}

start_slurmd() {
  alive slurmd && return 0
  log "starting slurmd (node $NODE) on port $SLURMD_PORT"
  launch slurmd slurmd -f "$CONF" -N "$NODE"
  sleep 0.2
}

# No `| grep -q` here: with pipefail, an early grep exit can fail the pipeline (SIGPIPE).
ping_up() { [[ "$(SLURM_CONF="$CONF" timeout 10 scontrol ping 2>/dev/null)" == *" is UP"* ]]; }

node_state() {
  local s
  s="$(SLURM_CONF="$CONF" sinfo -h -N -n "$NODE" -o %T 2>/dev/null || true)"
  echo "${s%%$'\n'*}"
}

node_ready() { [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing)$ ]]; }

ctld_registered_with_dbd() {
  [[ -n "$(SLURM_CONF="$CONF" sacctmgr -n -P list cluster "$CLUSTER" format=ControlPort 2>/dev/null | tr -d ' 0')" ]] &&
    SLURM_CONF="$CONF" sacct -n -X -o JobID -S now-1minutes >/dev/null 2>&1
}

wait_node() {
  local deadline=$((SECONDS + WAIT)) started=$SECONDS resumed= restarted=
  until node_ready; do
    if gone slurmd "$started"; then
      show_log "$LOGD/slurmd.log" "$LOGD/slurmd.out"
      die "slurmd exited; see $LOGD/slurmd.log"
    fi
    # A node left down/drained by an earlier run (e.g. killed daemons) comes back with a resume.
    if [[ -z "$resumed" && "$(node_state)" =~ ^(down|drained|draining)\*?$ ]]; then
      log "node $NODE is $(node_state); resuming it"
      SLURM_CONF="$CONF" scontrol update nodename="$NODE" state=resume >&2 || true
      resumed=1
    fi
    # A node that missed slurmctld's ping (munged stopped by a fault test) stays "not responding"
    # ('idle*') until the next ping, SlurmdTimeout/3 = 100 s later; a restarted slurmd registers
    # at once.
    if [[ -z "$restarted" && "$(node_state)" =~ ^(idle|mixed|allocated)\*$ ]] && ((SECONDS - started > 5)); then
      log "node $NODE is $(node_state) (not responding); restarting slurmd so that it registers now"
      stop_daemons slurmd
      start_slurmd
      started=$SECONDS restarted=1
    fi
    ((SECONDS < deadline)) || {
      show_log "$LOGD/slurmd.log" "$LOGD/slurmctld.log"
      die "node $NODE is '$(node_state)', not idle, after ${WAIT}s; see $LOGD/slurmd.log and $LOGD/slurmctld.log"
    }
    sleep 0.2
  done
}

# An RS256 key pair as an OIDC provider would hold it: the private key signs test tokens, the
# JWKS (public) is what slurmctld (jwks=) and the gateway (--jwks) verify them with. Slurm 22.05
# reads only RS256 keys that carry a kid. Node is there already: the gateway needs it.
make_jwks() {
  [[ -s "$JWKS" && -s "$JWKS_PRIVATE" ]] && return 0
  (umask 077 && node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const fs = require("node:fs");
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "schedrest-test", alg: "RS256", use: "sig" };
    fs.writeFileSync(process.argv[2], JSON.stringify({ keys: [jwk] }, null, 2) + "\n", { mode: 0o644 });
  ' "$JWKS_PRIVATE" "$JWKS")
  chmod 0644 "$JWKS"
}

# Two ordinary users for the identity tests, and the unprivileged user the gateway runs as
# under --auth=jwt. Idempotent; existing users are left as they are.
TEST_USERS=(alice bob)
SERVICE_USER=schedrest
ensure_users() {
  local u
  for u in "${TEST_USERS[@]}"; do
    if ! getent passwd "$u" >/dev/null; then
      useradd --create-home --shell /bin/bash "$u"
      log "created user $u"
    fi
    chmod 0755 "$(getent passwd "$u" | cut -d: -f6)"
  done
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
    log "created service user $SERVICE_USER"
  fi
}

# A reservation to submit into (#12): one matlab license for root and alice, no nodes
# (ANY_NODES: a job in it may run anywhere), so it holds nothing back from other jobs but that
# license. Kept in slurmctld's state; made again only when it is missing.
ensure_reservation() {
  SLURM_CONF="$CONF" scontrol show reservation "$RESERVATION" >/dev/null 2>&1 && return 0
  log "creating reservation $RESERVATION"
  SLURM_CONF="$CONF" scontrol create reservation ReservationName="$RESERVATION" StartTime=now Duration=UNLIMITED \
    Users=root,alice Licenses=matlab:1 Flags=ANY_NODES >&2
}

cmd_up() {
  need_root
  ensure_binaries
  ensure_users
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another \`cluster.sh up\` holds $DIR/.lock"
  make_dirs
  [[ "$(cat "$DIR/port-base" 2>/dev/null)" == "$PORT_BASE" ]] || echo "$PORT_BASE" >"$DIR/port-base"
  random_file "$JWT_KEY" 32 0600
  make_jwks
  local changed d
  changed="$(write_configs)"
  # A config change (new script version, new hostname or memory) restarts the affected daemons.
  for d in $changed; do
    if alive "$d"; then log "$d config changed; restarting it"; stop_daemons "$d"; fi
  done
  if alive munged && alive mariadbd && alive slurmdbd && alive slurmctld && alive slurmd && ping_up && node_ready; then
    ensure_reservation
    print_env
    return 0
  fi
  start_munged
  start_mariadb
  start_slurmdbd
  start_slurmctld
  start_slurmd
  wait_node
  wait_for "slurmctld to register with slurmdbd (sacct)" slurmdbd "$LOGD/slurmctld.log" ctld_registered_with_dbd
  ensure_reservation
  log "cluster $CLUSTER is up: partition $PARTITION, node $NODE ($(node_state))"
  print_env
}

cmd_down() {
  need_root
  # slurmctld flushes to slurmdbd, which needs MariaDB, and all of them need munged.
  stop_daemons slurmd slurmctld
  stop_daemons slurmdbd
  stop_daemons mariadbd munged
  log "cluster $CLUSTER is down"
}

cmd_status() {
  local d pid ok=0
  for d in "${DAEMONS[@]}"; do
    if pid="$(daemon_pid "$d")"; then
      printf '%-10s running (pid %s)\n' "$d" "$pid"
    else
      printf '%-10s stopped\n' "$d"
      ok=1
    fi
  done
  if [[ -f "$CONF" ]] && alive slurmctld; then
    local out
    out="$(SLURM_CONF="$CONF" timeout 5 scontrol ping 2>&1 || true)"
    echo "${out:-scontrol ping: no answer in 5 s}"
    [[ "$out" == *" is UP"* ]] || ok=1
  else
    echo "scontrol ping: slurmctld not running"
    ok=1
  fi
  return $ok
}

case "${1:-}" in
  install) cmd_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) print_env ;;
  *)
    echo "usage: bash scripts/cluster.sh install|up|down|status|env   (state in $DIR)" >&2
    exit 2
    ;;
esac
