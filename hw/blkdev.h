/*
 * Block devices: the disks of the machine description (swap devices and
 * devices holding files).
 *
 * A disk serves one request at a time, in the order requests arrive (a
 * FIFO queue of depth one: the elevator's merging is the submitter's job,
 * which builds multi-page requests as the kernel's block layer does). A
 * request of len bytes that arrives at cycle `now` starts when the disk is
 * free, at max(now, busy_until), and completes
 *
 *     latency + ceil(len / bytes_per_cycle)
 *
 * cycles later, where latency is the description's latency_ns and
 * bytes_per_cycle its bandwidth, both turned into cycles at CPU 0's clock.
 * The data moves by DMA: every disk has a DMA channel of its own (hw/dma.h,
 * attached by hw_create in disk order, named after the disk, with the
 * disk's dma_bits), through which the submitter moves the pages, so a read
 * invalidates the pages' lines in every cache and a write snoops their
 * dirty lines out, as on x86.
 *
 * The model computes times; it schedules nothing. The memory manager queues
 * a request here, learns when it completes, and schedules its own
 * completion event (the kernel's bio end_io) for that cycle.
 */
#ifndef MMSIM_HW_BLKDEV_H
#define MMSIM_HW_BLKDEV_H

#include <stdint.h>

#include "hw/hw.h"

#define HW_DISK_READ  0
#define HW_DISK_WRITE 1

struct hw_disk_stats {
	uint64_t reads;          /* read requests */
	uint64_t writes;         /* write requests */
	uint64_t read_bytes;
	uint64_t write_bytes;
	uint64_t busy_cycles;    /* cycles spent serving requests */
	uint64_t queue_cycles;   /* cycles requests waited for the disk */
};

/* The disks of the machine, in description order. */
int hw_disk_count(const struct hw *hw);
/* The disk called name, or -1. */
int hw_disk_find(const struct hw *hw, const char *name);
const struct hw_disk_desc *hw_disk_desc(const struct hw *hw, int disk);
/* The disk's DMA channel (hw/dma.h). */
int hw_disk_dma(const struct hw *hw, int disk);

/*
 * A request of len bytes (dir HW_DISK_READ or HW_DISK_WRITE) arriving at
 * cycle now: returns the cycle it completes, and makes the disk busy until
 * then.
 */
cycle_t hw_disk_queue(struct hw *hw, int disk, cycle_t now, uint64_t len, int dir);

/* The cycle until which the disk is busy (0: never used). */
cycle_t hw_disk_busy_until(const struct hw *hw, int disk);

const struct hw_disk_stats *hw_disk_stats(const struct hw *hw, int disk);

#endif
