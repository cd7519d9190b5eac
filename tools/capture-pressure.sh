#!/bin/sh
# Boot the real Linux 6.1 under QEMU, put it under memory pressure, and
# record what /proc shows: the test data mmsim's reclaim is held against.
#
#   sh tools/capture-pressure.sh SHAPE WORKLOAD [RUN...]
#   sh tools/capture-pressure.sh all           (the set in tests/data/pressure-6.1)
#
# SHAPE     a_512m_2cpu | b_1g_2cpu | c_2g_2cpu | d_numa2   (b and d as in
#           tests/data/linux-6.1: -m 1G -smp 2; -m 2G, two 1 GiB nodes)
# WORKLOAD  hog    anonymous memory, HOG_PCT % of MemTotal, written twice
#           file   a file of FILE_PCT % of MemTotal written (dd bs=1M), synced,
#                  read back
#           tmpfs  a tmpfs file of TMPFS_PCT % of MemTotal (shmem to swap)
#           mixed  a MIXED_FILE_PCT % file written and synced, then the hog
#                  with MIXED_HOG_PCT %
# RUN       run numbers (default "1 2"); each run is a fresh boot and lands
#           in OUT/SHAPE_WORKLOAD[-TAG]_RUN (OUT=tests/data/pressure-6.1).
#
# Knobs (environment): SWAPPINESS, WSF (watermark_scale_factor), MFK
# (min_free_kbytes), LRU_GEN (y|n: /sys/kernel/mm/lru_gen/enabled), THP
# (always|madvise|never), all left as the kernel boots them when unset;
# HOG_PCT=150 FILE_PCT=150 TMPFS_PCT=125 MIXED_FILE_PCT=60 MIXED_HOG_PCT=100,
# SWAP_MIB (default: the RAM size), SAMPLE_MS=500, TIMEOUT=3600 (seconds of
# host time per boot), TAG (folder suffix for a run with changed knobs),
# KVER (default: the newest /boot/vmlinuz-6.1.0-*-amd64), OUT, KEEP_WORK=1
# (keep the disk images). A run folder that exists is never replaced:
# remove it first.
#
# Installs what is missing (Debian: qemu-system-x86, linux-image-amd64,
# busybox-static, e2fsprogs, cpio, gcc) with apt-get, through sudo when not
# root. Run one at a time: TCG uses a host core per guest CPU.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(dirname "$here")/tests/data/pressure-6.1}
RUNS_DEFAULT="1 2"

die() { echo "capture-pressure: $*" >&2; exit 1; }

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# ---- what the host needs -------------------------------------------------
need_pkgs() {
	missing=""
	command -v qemu-system-x86_64 >/dev/null 2>&1 || missing="$missing qemu-system-x86"
	command -v mkfs.ext4 >/dev/null 2>&1 || [ -x /sbin/mkfs.ext4 ] || missing="$missing e2fsprogs"
	command -v cpio >/dev/null 2>&1 || missing="$missing cpio"
	command -v gcc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
	dpkg -s busybox-static >/dev/null 2>&1 || missing="$missing busybox-static"
	ls /boot/vmlinuz-6.1.0-*-amd64 >/dev/null 2>&1 || missing="$missing linux-image-amd64"
	[ -z "$missing" ] && return 0
	echo "capture-pressure: installing$missing" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing \
		|| die "apt-get install$missing failed"
}

PATH=$PATH:/sbin:/usr/sbin

# ---- the machine shapes (same QEMU flags as tests/data/linux-6.1) ----------
shape_args() {
	case $1 in
	a_512m_2cpu) MEM_MIB=512;  QARGS="-m 512M -smp 2" ;;
	b_1g_2cpu)   MEM_MIB=1024; QARGS="-m 1G -smp 2" ;;
	c_2g_2cpu)   MEM_MIB=2048; QARGS="-m 2G -smp 2" ;;
	d_numa2)     MEM_MIB=2048; QARGS="-m 2G -smp 2 -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 -numa dist,src=0,dst=1,val=20" ;;
	*) die "unknown shape '$1' (a_512m_2cpu, b_1g_2cpu, c_2g_2cpu, d_numa2)" ;;
	esac
}

# Modules the guest loads, dependencies first, from the kernel's modules.dep.
mod_order() { # mod_order KVER NAME...
	dep=/lib/modules/$1/modules.dep
	shift
	[ -r "$dep" ] || die "$dep: not readable"
	seen=" "
	add() {
		local p file d n
		p=$(grep -m1 "/$1\.ko[^:]*:" "$dep") || die "module $1 not in $dep"
		file=${p%%:*}
		case $seen in *" $file "*) return 0 ;; esac
		for d in ${p#*:}; do
			n=${d##*/}
			add "${n%%.ko*}"
		done
		case $seen in *" $file "*) return 0 ;; esac
		seen="$seen$file "
		echo "$file"
	}
	for m in "$@"; do add "$m"; done
}

# ---- the guest's /init (busybox sh) ---------------------------------------
write_init() { # write_init DIR
	cat >"$1/bin/snap" <<'EOF'
#!/bin/sh
# snap PHASE: the /proc and /sys files of this moment under /out/PHASE.
d=/out/$1
mkdir -p $d/proc/sys/vm
t0=$(cut -d' ' -f1 /proc/uptime)
for f in vmstat meminfo zoneinfo buddyinfo pagetypeinfo swaps; do
	cat /proc/$f >$d/proc/$f
done
for n in /sys/devices/system/node/node[0-9]*; do
	mkdir -p $d$n
	for f in meminfo numastat vmstat; do cat $n/$f >$d$n/$f; done
done
# Every vm knob but the three whose access acts (drop_caches,
# compact_memory and stat_refresh, which folds the per-CPU counters).
for f in /proc/sys/vm/*; do
	case ${f##*/} in drop_caches|compact_memory|stat_refresh) continue ;; esac
	cat $f >$d$f 2>/dev/null || rm -f $d$f
done
echo "$1 $t0 $(cut -d' ' -f1 /proc/uptime)" >>/out/phases
EOF
	cat >"$1/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /etc/pressure.conf
say() { echo "pressure: $*"; echo "$*" >>/out/workload/log; }
up() { cut -d' ' -f1 /proc/uptime; }
mkdir -p /out/workload /out/boot/proc /out/end /out/series
snap boot
# What this kernel is and how it is set, as files at their real paths.
for f in /proc/cmdline /proc/version \
	 /sys/kernel/mm/lru_gen/enabled /sys/module/zswap/parameters/enabled \
	 /sys/kernel/mm/transparent_hugepage/enabled \
	 /sys/kernel/mm/transparent_hugepage/defrag \
	 /sys/kernel/mm/transparent_hugepage/shmem_enabled \
	 /sys/devices/system/node/has_memory /sys/devices/system/node/has_cpu; do
	[ -r $f ] || continue
	mkdir -p /out/boot${f%/*}
	cat $f >/out/boot$f
done
uname -a >/out/boot/uname-a
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m || say "insmod $m failed"; done
i=0
while [ ! -b /dev/vdc ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/vdc ] || { echo "pressure: FAILED no virtio disks"; poweroff -f; }
mkswap /dev/vda >/dev/null && swapon /dev/vda || say "swapon failed"
# Rotational or not decides whether a whole THP can be swapped out (6.1 keeps
# swap clusters only for non-rotational devices).
mkdir -p /out/before/sys/block/vda/queue
cat /sys/block/vda/queue/rotational >/out/before/sys/block/vda/queue/rotational
mkdir -p /mnt/data /mnt/tmp
mount -t ext4 /dev/vdb /mnt/data || say "mount /dev/vdb failed"
# The knobs of this run (unset ones stay as the kernel booted them).
[ -n "$LRU_GEN" ] && echo $LRU_GEN >/sys/kernel/mm/lru_gen/enabled
[ -n "$THP" ] && echo $THP >/sys/kernel/mm/transparent_hugepage/enabled
[ -n "$SWAPPINESS" ] && echo $SWAPPINESS >/proc/sys/vm/swappiness
[ -n "$WSF" ] && echo $WSF >/proc/sys/vm/watermark_scale_factor
[ -n "$MFK" ] && echo $MFK >/proc/sys/vm/min_free_kbytes
for f in /sys/kernel/mm/lru_gen/enabled /sys/kernel/mm/transparent_hugepage/enabled; do
	[ -r $f ] && mkdir -p /out/before${f%/*} && cat $f >/out/before$f
done
total=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
pct() { echo $((total * $1 / 100 / 1024)); }
ncpu=$(nproc)
samp=$(printf '0x%x' $((1 << (ncpu - 1))))
taskset $samp memhog sample $SAMPLE_MS /out/series &
spid=$!
sleep 1
snap before
say "workload $WORKLOAD MemTotal_kB=$total cpu=0 sampler_cpu=$((ncpu - 1)) start $(up)"
status=0
case $WORKLOAD in
hog)
	echo after_pass2 >/out/workload/peak
	mib=$(pct $HOG_PCT)
	say "hog_MiB=$mib ($HOG_PCT % of MemTotal), 2 passes"
	taskset 0x1 memhog hog $mib 2 'snap $1' >>/out/workload/log 2>&1 || status=$?
	say "hog exit $status at $(up)"
	snap after_exit
	;;
file)
	echo after_read >/out/workload/peak
	mib=$(pct $FILE_PCT)
	say "file_MiB=$mib ($FILE_PCT % of MemTotal)"
	say "write start $(up)"
	taskset 0x1 dd if=/dev/zero of=/mnt/data/big bs=1M count=$mib >>/out/workload/log 2>&1 || status=$?
	say "write end $(up) exit $status"
	snap after_write
	taskset 0x1 sync
	say "sync end $(up)"
	snap after_sync
	taskset 0x1 dd if=/mnt/data/big of=/dev/null bs=1M >>/out/workload/log 2>&1 || status=$?
	say "read end $(up) exit $status"
	snap after_read
	;;
tmpfs)
	echo after_fill >/out/workload/peak
	mib=$(pct $TMPFS_PCT)
	say "tmpfs_MiB=$mib ($TMPFS_PCT % of MemTotal), tmpfs size=$((mib + 16))m"
	mount -t tmpfs -o size=$((mib + 16))m tmpfs /mnt/tmp
	taskset 0x1 dd if=/dev/zero of=/mnt/tmp/fill bs=1M count=$mib >>/out/workload/log 2>&1 || status=$?
	say "fill end $(up) exit $status"
	snap after_fill
	rm -f /mnt/tmp/fill
	say "rm end $(up)"
	snap after_rm
	;;
mixed)
	echo after_pass2 >/out/workload/peak
	fmib=$(pct $MIXED_FILE_PCT)
	hmib=$(pct $MIXED_HOG_PCT)
	say "file_MiB=$fmib ($MIXED_FILE_PCT %) then hog_MiB=$hmib ($MIXED_HOG_PCT %), 2 passes"
	taskset 0x1 dd if=/dev/zero of=/mnt/data/big bs=1M count=$fmib >>/out/workload/log 2>&1 || status=$?
	taskset 0x1 sync
	say "file written and synced $(up) exit $status"
	snap after_file
	taskset 0x1 memhog hog $hmib 2 'snap $1' >>/out/workload/log 2>&1 || status=$?
	say "hog exit $status at $(up)"
	snap after_exit
	;;
*)
	say "unknown workload $WORKLOAD"; status=99 ;;
esac
sleep 1
snap end
kill $spid; wait $spid
dmesg >/out/end/dmesg
oom=$(grep -c 'Out of memory' /out/end/dmesg)
say "end $(up) status $status oom_kills $oom"
tar -cf - -C /out . | dd of=/dev/vdc bs=64k conv=fsync 2>/dev/null
sync
echo "pressure: DONE status=$status oom=$oom"
poweroff -f
EOF
	chmod +x "$1/init" "$1/bin/snap"
}

# ---- one run: fresh images, fresh boot ---------------------------------------
one_run() { # one_run SHAPE WORKLOAD RUN
	shape_args "$1"
	name=$1_$2${TAG:+-$TAG}_$3
	dest=$OUT/$name
	mkdir -p "$OUT"
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/capture-pressure.XXXXXX")
	swap_mib=${SWAP_MIB:-$MEM_MIB}
	data_mib=$((MEM_MIB * 2 + 256))

	# Initramfs: busybox, memhog, the block and ext4 modules, /init.
	r=$work/root
	mkdir -p "$r/bin" "$r/etc" "$r/dev" "$r/proc" "$r/sys" "$r/out" "$r/lib/modules"
	cp /bin/busybox "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	gcc -std=c11 -O2 -Wall -Wextra -Werror -static -o "$r/bin/memhog" "$here/pressure/memhog.c" \
		|| die "gcc tools/pressure/memhog.c failed"
	mods=$(mod_order "$KVER" virtio_pci virtio_blk crc32c_generic ext4) || exit 1
	: >"$r/lib/modules/order"
	for f in $mods; do
		cp "/lib/modules/$KVER/$f" "$r/lib/modules/"
		echo "${f##*/}" >>"$r/lib/modules/order"
	done
	cat >"$r/etc/pressure.conf" <<EOF
WORKLOAD=$2
HOG_PCT=${HOG_PCT:-150}
FILE_PCT=${FILE_PCT:-150}
TMPFS_PCT=${TMPFS_PCT:-125}
MIXED_FILE_PCT=${MIXED_FILE_PCT:-60}
MIXED_HOG_PCT=${MIXED_HOG_PCT:-100}
SAMPLE_MS=${SAMPLE_MS:-500}
SWAPPINESS=${SWAPPINESS:-}
WSF=${WSF:-}
MFK=${MFK:-}
LRU_GEN=${LRU_GEN:-}
THP=${THP:-}
EOF
	write_init "$r"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"

	# Disks: vda swap (raw, sparse), vdb ext4 (initialised on the host so
	# the guest's ext4lazyinit writes nothing during the run), vdc for the
	# guest to write its results to as a tar stream.
	truncate -s "${swap_mib}M" "$work/swap.img"
	truncate -s "${data_mib}M" "$work/data.img"
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$work/data.img" \
		|| die "mkfs.ext4 failed"
	truncate -s 256M "$work/out.img"

	cmdline="console=ttyS0 panic=5 nokaslr mminit_loglevel=4"
	qcmd="timeout $TIMEOUT qemu-system-x86_64 -machine pc -accel tcg -nographic -no-reboot -kernel /boot/vmlinuz-$KVER -initrd \$WORK/initramfs.cpio.gz -append $(echo "$cmdline" | sed 's/ /\\ /g') $QARGS -drive file=\$WORK/swap.img,format=raw,if=virtio -drive file=\$WORK/data.img,format=raw,if=virtio -drive file=\$WORK/out.img,format=raw,if=virtio"
	echo "capture-pressure: $name: booting (${MEM_MIB} MiB, swap ${swap_mib} MiB, timeout ${TIMEOUT}s)" >&2
	t0=$(date +%s)
	rc=0
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" qemu-system-x86_64 -machine pc -accel tcg -nographic -no-reboot \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$work/initramfs.cpio.gz" \
		-append "$cmdline" $QARGS \
		-drive "file=$work/swap.img,format=raw,if=virtio" \
		-drive "file=$work/data.img,format=raw,if=virtio" \
		-drive "file=$work/out.img,format=raw,if=virtio" \
		</dev/null >"$work/console.log" 2>&1 || rc=$?
	t1=$(date +%s)
	if [ $rc = 124 ]; then
		tail -20 "$work/console.log" >&2
		die "$name: the guest did not finish within ${TIMEOUT}s (console: $work/console.log)"
	fi
	grep -q '^pressure: DONE' "$work/console.log" || {
		tail -20 "$work/console.log" >&2
		die "$name: the guest stopped without finishing, qemu exit $rc (console: $work/console.log)"
	}
	tmp=$OUT/.$name.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xf "$work/out.img" -C "$tmp" || die "$name: the guest's results do not unpack ($work/out.img)"
	printf '%s\n' "$qcmd" >"$tmp/qemu.cmd"
	echo "$(date -u +%Y-%m-%d) host seconds $((t1 - t0)), qemu $(qemu-system-x86_64 --version | sed -n 1p)" >"$tmp/host"
	mv "$tmp" "$dest"
	[ "${KEEP_WORK:-0}" = 1 ] && echo "capture-pressure: images kept in $work" >&2 || rm -rf "$work"
	echo "capture-pressure: wrote $dest ($(sed -n '$p' "$dest/workload/log"); $((t1 - t0)) s)" >&2
}

# ---- main --------------------------------------------------------------------
# Everything that can be refused is refused before anything is installed.
[ $# -ge 1 ] || usage
if [ "$1" = all ]; then
	set -- b_1g_2cpu:hog:1 b_1g_2cpu:hog:2 b_1g_2cpu:file:1 b_1g_2cpu:file:2 \
	       b_1g_2cpu:tmpfs:1 b_1g_2cpu:tmpfs:2 b_1g_2cpu:mixed:1 b_1g_2cpu:mixed:2 \
	       a_512m_2cpu:hog:1 a_512m_2cpu:hog:2 c_2g_2cpu:hog:1 c_2g_2cpu:hog:2
else
	[ $# -ge 2 ] || usage
	shape=$1 workload=$2
	shift 2
	jobs=""
	for n in ${*:-$RUNS_DEFAULT}; do jobs="$jobs $shape:$workload:$n"; done
	# shellcheck disable=SC2086
	set -- $jobs
fi
for j in "$@"; do
	IFS=: read -r s w n <<EOF
$j
EOF
	shape_args "$s"
	case $w in hog|file|tmpfs|mixed) ;; *) die "unknown workload '$w' (hog, file, tmpfs, mixed)" ;; esac
	case $n in ''|*[!0-9]*) die "run '$n' is not a number" ;; esac
	[ -e "$OUT/${s}_$w${TAG:+-$TAG}_$n" ] && die "$OUT/${s}_$w${TAG:+-$TAG}_$n exists; remove it first to capture it again"
done
need_pkgs
KVER=${KVER:-$(ls /boot/vmlinuz-6.1.0-*-amd64 | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
[ -r "/boot/vmlinuz-$KVER" ] || die "/boot/vmlinuz-$KVER: not readable"
TIMEOUT=${TIMEOUT:-3600}
for j in "$@"; do
	IFS=: read -r s w n <<EOF
$j
EOF
	one_run "$s" "$w" "$n"
done
