#!/usr/bin/env python3
"""
Writes the hand-made Linux 6.1 capture directories of this folder and
prints, for the README, every number they hold worked out from 6.1's own
rules (mm/page_alloc.c, mm/khugepaged.c, mm/vmstat.c of v6.1). It is an
independent restatement of those rules, not mmsim's code: the tests hold
mmsim's output against the files written here.

    python3 tests/data/shapes-6.1/derive.py [--write]

Without --write it only prints the arithmetic.
"""
import math, os, sys

PAGE_SHIFT = 12
SWAP_CLUSTER_MAX = 32
MIGRATE_PCPTYPES = 3
MAX_NUMNODES = 1024         # Debian's CONFIG_NODES_SHIFT=10
PENALTY_FOR_NODE_WITH_CPUS = 1
log = []


def say(s=""):
    log.append(s)


def fls(x):
    return x.bit_length()


def rounddown_pow_of_two(x):
    return 1 << (x.bit_length() - 1)


class Zone:
    def __init__(self, idx, name, start_pfn=0, spanned=0, present=0, managed=0):
        self.idx, self.name = idx, name
        self.start_pfn, self.spanned, self.present, self.managed = start_pfn, spanned, present, managed
        self.min = self.low = self.high = 0
        self.reserve = []
        self.batch = self.pcp_high = 0


class Machine:
    """arch: 'x86_64' (DMA DMA32 Normal Movable Device) or 'i386' (DMA Normal
    HighMem Movable). nodes: list of dicts {zone name: (start, spanned,
    present, managed)}; cpus: the node of each CPU; dist: the SLIT rows."""

    def __init__(self, name, arch, nodes, cpus, dist, thp, pageblock_order, numa=True):
        self.name, self.arch, self.cpus, self.dist, self.thp, self.numa = name, arch, cpus, dist, thp, numa
        self.pb = 1 << pageblock_order
        self.pageblock_order = pageblock_order
        self.zone_names = (["DMA", "DMA32", "Normal", "Movable", "Device"] if arch == "x86_64"
                           else ["DMA", "Normal", "HighMem", "Movable"])
        self.ratios = [256, 256, 32, 0, 0] if arch == "x86_64" else [256, 32, 0, 0]
        self.nodes = []
        for nd in nodes:
            zs = []
            for i, zn in enumerate(self.zone_names):
                zs.append(Zone(i, zn, *nd.get(zn, (0, 0, 0, 0))))
            self.nodes.append(zs)
        # 6.1 find_usable_zone_for_movable: the highest zone below Movable
        # whose arch range is not empty.
        self.movable_zone = max(z.idx for zs in self.nodes for z in zs
                                if z.spanned and z.name != "Movable")

    def is_highmem(self, z):
        if self.arch == "x86_64":
            return False
        return z.name == "HighMem" or (z.name == "Movable" and
                                       self.zone_names[self.movable_zone] == "HighMem")

    def zones(self):
        for nid, zs in enumerate(self.nodes):
            for z in zs:
                yield nid, z

    def node_has_mem(self, n):
        return any(z.present for z in self.nodes[n])

    def node_cpus(self, n):
        return [c for c, nn in enumerate(self.cpus) if nn == n]

    # ---- zonelists: build_all_zonelists, find_next_best_node
    def zonelists(self):
        N = len(self.nodes)
        load = [0] * N
        self.order = {}
        say("Zonelists (build_zonelists, node by node; node_load shared):")
        for local in range(N):
            used, order, prev = set(), [], local
            while True:
                if local not in used:
                    used.add(local)
                    node = local
                else:
                    best, mv = -1, 1 << 62
                    for n in range(N):
                        if not self.node_has_mem(n) or n in used:
                            continue
                        pen_low = int(n < local)
                        pen_cpu = PENALTY_FOR_NODE_WITH_CPUS if self.node_cpus(n) else 0
                        v = (self.dist[local][n] + pen_low + pen_cpu) * MAX_NUMNODES + load[n]
                        say(f"  node {local}: candidate {n}: ({self.dist[local][n]} + {pen_low} + {pen_cpu})"
                            f" * {MAX_NUMNODES} + node_load {load[n]} = {v}")
                        if v < mv:
                            mv, best = v, n
                    if best < 0:
                        break
                    used.add(best)
                    node = best
                if self.dist[local][node] != self.dist[local][prev]:
                    load[node] += 1
                    say(f"  node {local}: takes {node}; distance {self.dist[local][node]} != "
                        f"{self.dist[local][prev]} (previous), node_load[{node}] = {load[node]}")
                else:
                    say(f"  node {local}: takes {node}")
                order.append(node)
                prev = node
            self.order[local] = order
            say(f"  node {local}: order {order}")
        say()

    def zonelist(self, nid, zidx):
        out = []
        for n in self.order[nid]:
            for z in reversed(self.nodes[n][:zidx + 1]):
                if z.managed:
                    out.append((n, z))
        return out

    def normal_idx(self):
        return self.zone_names.index("Normal")

    # ---- nr_free_buffer_pages: zones <= gfp_zone(GFP_USER) = Normal of the
    # boot CPU's node's zonelist, managed - high where positive
    def nr_free_buffer_pages(self):
        nid = self.cpus[0]
        s, parts = 0, []
        for n, z in self.zonelist(nid, self.normal_idx()):
            if z.managed > z.high:
                s += z.managed - z.high
                parts.append(f"({z.managed} - {z.high})")
        say(f"  nr_free_buffer_pages = {' + '.join(parts)} = {s}")
        return s

    def wmarks(self, mfk):
        pages_min = mfk >> (PAGE_SHIFT - 10)
        lowmem = sum(z.managed for _, z in self.zones() if not self.is_highmem(z))
        say(f"  setup_per_zone_wmarks: pages_min = {mfk} >> 2 = {pages_min}; lowmem_pages"
            f" (managed of the zones that are not highmem) = {lowmem}")
        for nid, z in self.zones():
            tmp = pages_min * z.managed // lowmem
            if self.is_highmem(z):
                m = min(max(z.managed // 1024, SWAP_CLUSTER_MAX), 128)
                how = f"highmem: clamp({z.managed} / 1024, 32, 128) = {m}"
            else:
                m = tmp
                how = f"tmp = {pages_min} * {z.managed} / {lowmem} = {tmp}"
            scaled = (z.managed // 10000) * 10 + (z.managed % 10000) * 10 // 10000
            step = max(tmp >> 2, scaled)
            z.min, z.low, z.high = m, m + step, m + 2 * step
            if z.spanned or self.is_highmem(z):
                say(f"    node {nid} {z.name}: {how}; min {m}; step = max(tmp {tmp} >> 2 = {tmp >> 2}, "
                    f"{z.managed} * 10 / 10000 = {scaled}) = {step}; low {z.low}; high {z.high}")

    def lowmem_reserve(self):
        say("  setup_per_zone_lowmem_reserve (ratios " + " ".join(map(str, self.ratios)) + "):")
        for nid, zs in enumerate(self.nodes):
            for i, z in enumerate(zs):
                z.reserve = [0] * len(zs)
                if i == len(zs) - 1:
                    continue
                ratio = self.ratios[i]
                clear = not ratio or not z.managed
                acc = 0
                for j in range(i + 1, len(zs)):
                    acc += zs[j].managed
                    z.reserve[j] = 0 if clear else acc // ratio
                if not clear:
                    say(f"    node {nid} {z.name}: " + ", ".join(
                        f"[{zs[j].name}] = {sum(x.managed for x in zs[i + 1:j + 1])} / {ratio} = {z.reserve[j]}"
                        for j in range(i + 1, len(zs))))

    def pcp(self):
        ncpus = len(self.cpus)
        say("  pcp (zone_batchsize, zone_highsize with percpu_pagelist_high_fraction 0):")
        for nid, z in self.zones():
            if not z.present:
                continue
            b = min(z.managed >> 10, (1 << 20) >> PAGE_SHIFT) // 4
            b = max(b, 1)
            batch = max(rounddown_pow_of_two(b + b // 2) - 1, 1)
            split = len(self.node_cpus(nid)) or ncpus
            high = max(z.low // split, batch * 4)
            z.batch, z.pcp_high = batch, high
            say(f"    node {nid} {z.name}: batch: min({z.managed} >> 10, 256) / 4 = {b},"
                f" rounddown_pow_of_two({b} + {b // 2}) - 1 -> {batch}; high = max(low {z.low} / {split}"
                f" CPUs, 4 * {batch}) = {high}")

    def stat_threshold(self, z):
        mem = z.managed >> (27 - PAGE_SHIFT)
        return min(2 * fls(len(self.cpus)) * (1 + fls(mem)), 125)

    def boot(self):
        say(f"## {self.name}")
        say()
        self.zonelists()
        say("min_free_kbytes (init_per_zone_wmark_min, watermarks still 0):")
        for _, z in self.zones():
            z.high = 0
        nfb = self.nr_free_buffer_pages()
        lowmem_kb = nfb * 4
        mfk = math.isqrt(lowmem_kb * 16)
        mfk = min(max(mfk, 128), 262144)
        say(f"  calculate_min_free_kbytes: int_sqrt({lowmem_kb} * 16) = {mfk}")
        self.wmarks(mfk)
        total = sum(z.managed for _, z in self.zones())
        if self.thp and total >= 512 << (20 - PAGE_SHIFT):
            nz = sum(1 for _, z in self.zones() if z.present and z.idx <= self.normal_idx())
            rec = self.pb * nz * 2 + self.pb * nz * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES
            say(f"  khugepaged (totalram {total} pages >= 512 MiB): {nz} populated zones <= Normal,"
                f" pageblock {self.pb} pages: {self.pb} * {nz} * 2 + {self.pb} * {nz} * 9 = {rec}")
            cap = self.nr_free_buffer_pages() // 20
            rec2 = min(rec, cap)
            say(f"    5 % cap: {cap}; min({rec}, {cap}) = {rec2} pages = {rec2 * 4} KiB")
            if rec2 * 4 > mfk:
                mfk = rec2 * 4
            say(f"  min_free_kbytes = {mfk}")
            self.wmarks(mfk)
        else:
            say(f"  THP rule not applied (thp {self.thp}, totalram {total} pages)")
        self.mfk = mfk
        self.lowmem_reserve()
        self.pcp()
        say()

    # ---- files
    def zoneinfo(self):
        o = []
        node_stats = ["nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file",
                      "nr_unevictable", "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon",
                      "nr_isolated_file", "workingset_nodes", "workingset_refault_anon",
                      "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
                      "workingset_restore_anon", "workingset_restore_file", "workingset_nodereclaim",
                      "nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback",
                      "nr_writeback_temp", "nr_shmem", "nr_shmem_hugepages", "nr_shmem_pmdmapped",
                      "nr_file_hugepages", "nr_file_pmdmapped", "nr_anon_transparent_hugepages",
                      "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written",
                      "nr_throttled_written", "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired",
                      "nr_foll_pin_released", "nr_kernel_stack", "nr_page_table_pages",
                      "nr_sec_page_table_pages", "nr_swapcached", "pgpromote_success", "pgpromote_candidate"]
        zone_stats = ["nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
                      "nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
                      "nr_bounce", "nr_zspages", "nr_free_cma"]
        numa = ["numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other"]
        for nid, zs in enumerate(self.nodes):
            first = True
            for z in zs:
                o.append(f"Node {nid}, zone {z.name:>8}")
                if z.present and first:
                    o.append("  per-node stats")
                    for s in node_stats:
                        # PGPROMOTE_* are CONFIG_NUMA_BALANCING node items (6.1
                        # mmzone.h), and NUMA_BALANCING depends on NUMA.
                        if s.startswith("pgpromote_") and not self.numa:
                            continue
                        o.append(f"      {s:<12} 0")
                    first = False
                free = z.managed
                o.append(f"  pages free     {free}")
                o.append(f"        boost    0")
                o.append(f"        min      {z.min}")
                o.append(f"        low      {z.low}")
                o.append(f"        high     {z.high}")
                o.append(f"        spanned  {z.spanned}")
                o.append(f"        present  {z.present}")
                o.append(f"        managed  {z.managed}")
                o.append(f"        cma      0")
                o.append(f"        protection: (" + ", ".join(map(str, z.reserve)) + ")")
                if not z.present:
                    continue
                o.append(f"      {'nr_free_pages':<12} {free}")
                for s in zone_stats:
                    o.append(f"      {s:<12} 0")
                if self.numa:
                    for s in numa:
                        o.append(f"      {s:<12} 0")
                o.append("  pagesets")
                for c in range(len(self.cpus)):
                    o.append(f"    cpu: {c}")
                    o.append(f"              count: 0")
                    o.append(f"              high:  {z.pcp_high}")
                    o.append(f"              batch: {z.batch}")
                    o.append(f"  vm stats threshold: {self.stat_threshold(z)}")
                o.append("  node_unreclaimable:  0")
                o.append(f"  start_pfn:           {z.start_pfn}")
        return "\n".join(o) + "\n"

    def dmesg_zonelists(self):
        o = []
        lists = 2 if self.numa else 1
        for nid, zs in enumerate(self.nodes):
            for listid in range(lists):
                for z in zs:
                    if not z.present:
                        continue
                    if listid == 0:
                        zl = self.zonelist(nid, z.idx)
                    else:
                        zl = [(nid, y) for y in reversed(zs[:z.idx + 1]) if y.managed]
                    o.append(f"mminit::zonelist {'thisnode' if listid else 'general'} {nid}:{z.name} = " +
                             "".join(f"{n}:{y.name} " for n, y in zl))
        return "\n".join(o) + "\n"


def cpulist(cs):
    if not cs:
        return ""
    runs, a = [], cs[0]
    for i in range(1, len(cs) + 1):
        if i == len(cs) or cs[i] != cs[i - 1] + 1:
            runs.append(f"{a}" if a == cs[i - 1] else f"{a}-{cs[i - 1]}")
            if i < len(cs):
                a = cs[i]
    return ",".join(runs)


def write(m, root, iomem, extra=None):
    d = os.path.join(root, m.name)
    def put(rel, text):
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    put("proc/zoneinfo", m.zoneinfo())
    put("dmesg-zonelists", m.dmesg_zonelists())
    put("proc/iomem", iomem)
    put("proc/sys/vm/min_free_kbytes", f"{m.mfk}\n")
    put("proc/sys/vm/watermark_scale_factor", "10\n")
    put("proc/sys/vm/lowmem_reserve_ratio", "\t".join(map(str, m.ratios)) + "\n")
    put("proc/sys/vm/percpu_pagelist_high_fraction", "0\n")
    if m.thp:
        put("sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n")
    put("proc/pagetypeinfo", f"Page block order: {m.pageblock_order}\nPages per block:  {m.pb}\n")
    if m.numa:
        put("proc/sys/vm/numa_zonelist_order", "Node\n")
        for n in range(len(m.nodes)):
            put(f"sys/devices/system/node/node{n}/cpulist", cpulist(m.node_cpus(n)) + "\n")
            put(f"sys/devices/system/node/node{n}/distance", " ".join(map(str, m.dist[n])) + "\n")
    for k, v in (extra or {}).items():
        put(k, v)


G = 262144  # pages per GiB

machines = []

# 1. Four nodes, asymmetric SLIT, a memoryless node (2) and a CPU-less one (3).
numa4 = Machine(
    "numa4_asym", "x86_64",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "DMA32": (4096, G - 4096, G - 4096, 242525)},
           {"Normal": (4 * G, G, G, 258010)},
           {},
           {"Normal": (5 * G, G, G, 257530)}],
    cpus=[0, 0, 1, 1, 2, 2],
    dist=[[10, 21, 22, 21],
          [21, 10, 20, 22],
          [22, 20, 10, 30],
          [22, 22, 30, 10]],
    thp=True, pageblock_order=9)
numa4_iomem = ("00001000-0009efff : System RAM\n"
               "0009f000-000fffff : Reserved\n"
               "00100000-3fffffff : System RAM\n"
               "40000000-febfffff : PCI Bus 0000:00\n"
               "100000000-17fffffff : System RAM\n")
machines.append((numa4, numa4_iomem))

# 2. i386, 2-level page tables (no PAE), 2 GiB, 2 CPUs, no CONFIG_NUMA.
LOW = 0x377fe  # max_low_pfn
TOP = 0x7ffe0  # QEMU's e820 RAM ends at 0x7ffdffff
i386 = Machine(
    "i386_highmem", "i386",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "Normal": (4096, LOW - 4096, LOW - 4096, 207482),
            "HighMem": (LOW, TOP - LOW, TOP - LOW, TOP - LOW)}],
    cpus=[0, 0], dist=[[10]], thp=True, pageblock_order=10, numa=False)
i386_iomem = ("00001000-0009efff : System RAM\n"
              "0009f000-000fffff : Reserved\n"
              "00100000-7ffdffff : System RAM\n"
              "7ffe0000-7fffffff : Reserved\n")
machines.append((i386, i386_iomem))

# 3. Eight nodes in two groups of four (16 within, 22 across), a direct
# link between 1 and 5 (20), one asymmetric pair (6 -> 2 is 21, 2 -> 6 is
# 22); nodes 4 and 7 have CPUs and no memory, node 6 memory and no CPUs.
# Many equal scores: node_load's round robin decides most lists.
def slit8():
    d = [[10 if i == j else 16 if i // 4 == j // 4 else 22 for j in range(8)] for i in range(8)]
    d[1][5] = d[5][1] = 20
    d[6][2] = 21
    return d
numa8 = Machine(
    "numa8_ladder", "x86_64",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "DMA32": (4096, G // 2 - 4096, G // 2 - 4096, 115301)},
           {"Normal": (4 * G, G // 2, G // 2, 128510)},
           {"Normal": (4 * G + G // 2, G // 2, G // 2, 128894)},
           {"Normal": (5 * G, G // 2, G // 2, 128894)},
           {},
           {"Normal": (5 * G + G // 2, G // 2, G // 2, 128894)},
           {"Normal": (6 * G, G // 2, G // 2, 128766)},
           {}],
    cpus=[0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 7, 7],
    dist=slit8(), thp=True, pageblock_order=9)
numa8_iomem = ("00001000-0009efff : System RAM\n"
               "0009f000-000fffff : Reserved\n"
               "00100000-1fffffff : System RAM\n"
               "20000000-febfffff : PCI Bus 0000:00\n"
               "100000000-1bfffffff : System RAM\n")
machines.append((numa8, numa8_iomem))

# 4. ZONE_MOVABLE: a 4 GiB QEMU PC (RAM [0, 3 GiB) and [4, 5 GiB)) booted
# with movablecore=512M. find_zone_movable_pfns_for_nodes: totalpages =
# 158 + 786144 + 262144 = 1048446; kernelcore = 1048446 - 131072 =
# 917374; the pages below usable_startpfn (Normal's lowest, 4 GiB) count
# 786302 of it, the remaining 131072 come from [4 GiB, ...): Movable
# starts at pfn 1048576 + 131072 = 1179648 (already MAX_ORDER aligned).
# DMA32 spans to 4 GiB (zone spans are clipped to the node, holes
# included).
movable = Machine(
    "x86_64_movablecore", "x86_64",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "DMA32": (4096, 1044480, 782304, 757468),
            "Normal": (4 * G, G // 2, G // 2, 131072),
            "Movable": (4 * G + G // 2, G // 2, G // 2, 110270)}],
    cpus=[0, 0], dist=[[10]], thp=True, pageblock_order=9)
movable_iomem = ("00001000-0009efff : System RAM\n"
                 "0009f000-000fffff : Reserved\n"
                 "00100000-bffdffff : System RAM\n"
                 "bffe0000-bfffffff : Reserved\n"
                 "100000000-13fffffff : System RAM\n")
machines.append((movable, movable_iomem))

# 5. i386 with PAE, 4 GiB under QEMU (RAM [0, 3 GiB) and [4, 5 GiB)), 4
# CPUs, NUMA kernel with one node: HighMem spans the PCI hole.
PTOP = 5 * G
pae = Machine(
    "i386pae_4g", "i386",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "Normal": (4096, LOW - 4096, LOW - 4096, 202230),
            "HighMem": (LOW, PTOP - LOW, (0xbffe0 - LOW) + G, (0xbffe0 - LOW) + G - 1)}],
    cpus=[0, 0, 0, 0], dist=[[10]], thp=True, pageblock_order=9)
pae_iomem = ("00001000-0009efff : System RAM\n"
             "0009f000-000fffff : Reserved\n"
             "00100000-bffdffff : System RAM\n"
             "bffe0000-bfffffff : Reserved\n"
             "c0000000-febfffff : PCI Bus 0000:00\n"
             "100000000-13fffffff : System RAM\n")
machines.append((pae, pae_iomem))

# 6. i386 (2-level) 2 GiB as i386_highmem, booted with movablecore=256M:
# movable_zone is HighMem, usable_startpfn max_low_pfn 0x377fe = 227326.
# totalpages = 158 + (0x7ffe0 - 0x100) = 523902; kernelcore = 523902 -
# 65536 = 458366; below 227326: 158 + 227070 = 227228, remaining 231138
# taken from [227326, ...): 227326 + 231138 = 458464, rounded up to
# MAX_ORDER_NR_PAGES (1024): zone_movable_pfn 458752. Movable is HighMem
# for is_highmem().
MV = 458752
i386mv = Machine(
    "i386_movablecore", "i386",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "Normal": (4096, LOW - 4096, LOW - 4096, 207482),
            "HighMem": (LOW, MV - LOW, MV - LOW, MV - LOW),
            "Movable": (MV, TOP - MV, TOP - MV, TOP - MV)}],
    cpus=[0, 0], dist=[[10]], thp=True, pageblock_order=10, numa=False)
machines.append((i386mv, i386_iomem))

# 7. Two 1 GiB nodes (as the real d_numa2: node 1 ends at 0x7ffe0) with
# movablecore=512M. movable_zone is DMA32 (no Normal), usable_startpfn
# 4096. totalpages = 158 + 261888 + 262112 = 524158; kernelcore = 524158 -
# 131072 = 393086, 196543 a node. Node 0: 158 + 3840 below 4096, then
# 192545 from 4096: 196641. Node 1: 196543 from 262144: 458687. Rounded
# up to 1024: 197632 and 459776.
numa2mv = Machine(
    "numa2_movablecore", "x86_64",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "DMA32": (4096, 193536, 193536, 190000),
            "Movable": (197632, 64512, 64512, 56000)},
           {"DMA32": (G, 197632, 197632, 197632), "Movable": (459776, 64480, 64480, 60200)}],
    cpus=[0, 1], dist=[[10, 20], [20, 10]], thp=True, pageblock_order=9)
numa2mv_iomem = ("00001000-0009efff : System RAM\n"
                 "0009f000-000fffff : Reserved\n"
                 "00100000-7ffdffff : System RAM\n"
                 "7ffe0000-7fffffff : Reserved\n")
machines.append((numa2mv, numa2mv_iomem))

# 8. i386, 512 MiB, 1 CPU: no RAM above lowmem, so HighMem is empty (but
# still highmem: min 32) and movable_zone is Normal (Movable is not
# highmem: 0). Under 512 MiB managed, khugepaged leaves min_free_kbytes to
# the square-root rule.
TOP512 = 0x1ffe0
i386small = Machine(
    "i386_512m", "i386",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "Normal": (4096, TOP512 - 4096, TOP512 - 4096, 118000)}],
    cpus=[0], dist=[[10]], thp=True, pageblock_order=10, numa=False)
i386small_iomem = ("00001000-0009efff : System RAM\n"
                   "0009f000-000fffff : Reserved\n"
                   "00100000-1ffdffff : System RAM\n"
                   "1ffe0000-1fffffff : Reserved\n")
machines.append((i386small, i386small_iomem))

# 9. movable_node: the same two nodes, node 1's memory hotpluggable in the
# SRAT. find_zone_movable_pfns_for_nodes sets zone_movable_pfn[1] to the
# start of its first hotpluggable region, 262144 (MAX_ORDER aligned): all
# of node 1 is Movable, its DMA32 empty. movable_zone is DMA32.
numa2mn = Machine(
    "numa2_movable_node", "x86_64",
    nodes=[{"DMA": (1, 4095, 3998, 3840), "DMA32": (4096, G - 4096, G - 4096, 242525)},
           {"Movable": (G, 262112, 262112, 257897)}],
    cpus=[0, 1], dist=[[10, 20], [20, 10]], thp=True, pageblock_order=9)
machines.append((numa2mn, numa2mv_iomem))

if __name__ == "__main__":
    root = os.path.dirname(os.path.abspath(__file__))
    for m, io in machines:
        m.boot()
        if "--write" in sys.argv:
            write(m, root, io)
    print("\n".join(log))
