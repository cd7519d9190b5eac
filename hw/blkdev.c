/*
 * Block devices (see blkdev.h for the model). A disk's state is the cycle
 * until which it is busy and its counters; its DMA channel is attached by
 * hw_create right after the caches, so channel ids 0 .. nr_disks-1 are the
 * disks' in description order and devices attached later (hw_dma_attach)
 * follow them.
 */
#include <string.h>

#include "hw/blkdev.h"
#include "hw/internal.h"

void hw_disks_init(struct hw *hw)
{
	uint64_t hz = hw->d.cpus[0].hz;
	for (int i = 0; i < hw->d.nr_disks; i++) {
		const struct hw_disk_desc *k = &hw->d.disks[i];
		struct hw_disk *disk = &hw->disk[i];
		memset(disk, 0, sizeof *disk);
		/* ns -> cycles and bytes/s -> bytes/cycle at CPU 0's clock. */
		disk->latency = (cycle_t)((double)k->latency_ns * (double)hz / 1e9 + 0.5);
		disk->bytes_per_cycle = (double)k->bandwidth / (double)hz;
		disk->dma = hw_dma_attach(hw, k->name, k->dma_bits, disk->bytes_per_cycle, 0);
		MMSIM_ASSERT(disk->dma == i);
	}
	hw->ndisks = hw->d.nr_disks;
}

static bool disk_ok(const struct hw *hw, int disk)
{
	return disk >= 0 && disk < hw->ndisks;
}

int hw_disk_count(const struct hw *hw)
{
	return hw->ndisks;
}

int hw_disk_find(const struct hw *hw, const char *name)
{
	for (int i = 0; i < hw->ndisks; i++)
		if (!strcmp(hw->d.disks[i].name, name))
			return i;
	return -1;
}

const struct hw_disk_desc *hw_disk_desc(const struct hw *hw, int disk)
{
	MMSIM_ASSERT(disk_ok(hw, disk));
	return &hw->d.disks[disk];
}

int hw_disk_dma(const struct hw *hw, int disk)
{
	MMSIM_ASSERT(disk_ok(hw, disk));
	return hw->disk[disk].dma;
}

cycle_t hw_disk_queue(struct hw *hw, int disk, cycle_t now, uint64_t len, int dir)
{
	MMSIM_ASSERT(disk_ok(hw, disk));
	MMSIM_ASSERT(dir == HW_DISK_READ || dir == HW_DISK_WRITE);
	struct hw_disk *d = &hw->disk[disk];
	cycle_t start = d->busy_until > now ? d->busy_until : now;
	double xfer = (double)len / d->bytes_per_cycle;
	cycle_t xc = (cycle_t)xfer;
	if ((double)xc < xfer)
		xc++;                   /* ceil */
	cycle_t done = start + d->latency + xc;
	d->st.queue_cycles += start - now;
	d->st.busy_cycles += done - start;
	if (dir == HW_DISK_READ) {
		d->st.reads++;
		d->st.read_bytes += len;
	} else {
		d->st.writes++;
		d->st.write_bytes += len;
	}
	d->busy_until = done;
	return done;
}

cycle_t hw_disk_busy_until(const struct hw *hw, int disk)
{
	MMSIM_ASSERT(disk_ok(hw, disk));
	return hw->disk[disk].busy_until;
}

const struct hw_disk_stats *hw_disk_stats(const struct hw *hw, int disk)
{
	MMSIM_ASSERT(disk_ok(hw, disk));
	return &hw->disk[disk].st;
}
