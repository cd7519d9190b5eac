/*
 * Disks (hw/blkdev.c): a request's completion is latency + ceil(len /
 * bytes_per_cycle) after the disk is free, requests queue in arrival order,
 * the counters add up, and every disk has its own DMA channel named after
 * it, ahead of devices attached later.
 */
#include <check.h>
#include <string.h>

#include "hw/blkdev.h"
#include "hw/dma.h"
#include "hw/machine.h"

#define GiB (UINT64_C(1) << 30)

/* x86_64 at 2.5 GHz: 100 us = 250,000 cycles; 500 MB/s = 0.2 bytes per
 * cycle, so a 4 KiB page takes 20,480 cycles and 1 MiB 5,242,880. */
static struct hw *make(void)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset("x86_64", 0, 2, &d, err, sizeof err), 0);
	d.nr_disks = 2;
	hw_disk_default(&d.disks[0], "sda", 8 * GiB);
	hw_disk_default(&d.disks[1], "swap", 1 * GiB);
	d.disks[1].dma_bits = 32;
	struct hw *hw = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
	return hw;
}

START_TEST(timing_and_queueing)
{
	struct hw *hw = make();
	ck_assert_int_eq(hw_disk_count(hw), 2);
	ck_assert_int_eq(hw_disk_find(hw, "swap"), 1);
	ck_assert_int_eq(hw_disk_find(hw, "sdb"), -1);
	/* Idle disk: done at 1000 + 250,000 + 20,480. */
	ck_assert_uint_eq(hw_disk_queue(hw, 0, 1000, 4096, HW_DISK_READ), 271480);
	/* Arriving while busy: waits until 271,480, then 250,000 + 5,242,880. */
	ck_assert_uint_eq(hw_disk_queue(hw, 0, 2000, 1 << 20, HW_DISK_WRITE), 5764360);
	/* The other disk is independent. */
	ck_assert_uint_eq(hw_disk_queue(hw, 1, 2000, 4096, HW_DISK_WRITE), 272480);
	/* One byte more than a whole number of cycles rounds up. */
	ck_assert_uint_eq(hw_disk_queue(hw, 1, 10000000, 1, HW_DISK_READ), 10250005);
	const struct hw_disk_stats *st = hw_disk_stats(hw, 0);
	ck_assert_uint_eq(st->reads, 1);
	ck_assert_uint_eq(st->writes, 1);
	ck_assert_uint_eq(st->read_bytes, 4096);
	ck_assert_uint_eq(st->write_bytes, 1 << 20);
	ck_assert_uint_eq(st->queue_cycles, 271480 - 2000);
	ck_assert_uint_eq(st->busy_cycles, 5764360 - 1000);
	ck_assert_uint_eq(hw_disk_busy_until(hw, 0), 5764360);
	hw_destroy(hw);
}
END_TEST

START_TEST(dma_channels)
{
	struct hw *hw = make();
	ck_assert_int_eq(hw_dma_count(hw), 2);
	ck_assert_int_eq(hw_disk_dma(hw, 0), 0);
	ck_assert_int_eq(hw_disk_dma(hw, 1), 1);
	ck_assert_str_eq(hw_dma_name(hw, 1), "swap");
	ck_assert_uint_eq(hw_dma_limit(hw, 1), UINT64_C(1) << 32);
	/* A device attached later comes after the disks. */
	ck_assert_int_eq(hw_dma_attach(hw, "isa", 24, 1.0, 10), 2);
	/* The swap disk cannot reach above 4 GiB. */
	cycle_t c;
	ck_assert_int_eq(hw_dma_transfer(hw, 1, 5 * GiB, 4096, HW_DMA_FROM_DEVICE, &c), HW_DMA_EMASK);
	ck_assert_int_eq(hw_dma_transfer(hw, 0, 5 * GiB, 4096, HW_DMA_FROM_DEVICE, &c), 0);
	hw_destroy(hw);
}
END_TEST

Suite *blkdev_suite(void)
{
	Suite *s = suite_create("blkdev");
	TCase *tc = tcase_create("blkdev");
	tcase_add_test(tc, timing_and_queueing);
	tcase_add_test(tc, dma_channels);
	suite_add_tcase(s, tc);
	return s;
}
