/*
 * DMA devices: address masks refuse what they cannot reach, transfers take
 * setup + ceil(len / bytes_per_cycle) cycles, a device write invalidates the
 * lines it writes in every cache, a device read fills no cache.
 * Machine: the x86_64 preset (one node, 2 CPUs, 4 GiB with RAM moved above
 * 4 GiB past the PCI hole), default costs (L1 4, DRAM 200).
 */
#include <check.h>

#include "hw/dma.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static struct hw *hw;

static void setup(void)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset("x86_64", 0, 0, &d, err, sizeof err), 0);
	hw = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
}

static void teardown(void)
{
	hw_destroy(hw);
}

START_TEST(masks)
{
	int isa = hw_dma_attach(hw, "isa-fdc", 24, 0.5, 1000);
	int pci = hw_dma_attach(hw, "pci32-nic", 32, 8, 200);
	int nvme = hw_dma_attach(hw, "nvme", 64, 16, 100);
	ck_assert_int_eq(isa, 0);
	ck_assert_int_eq(pci, 1);
	ck_assert_int_eq(nvme, 2);
	ck_assert_int_eq(hw_dma_count(hw), 3);
	ck_assert_str_eq(hw_dma_name(hw, isa), "isa-fdc");
	ck_assert_uint_eq(hw_dma_limit(hw, isa), 16 * MiB);
	ck_assert_uint_eq(hw_dma_limit(hw, pci), 4 * GiB);

	cycle_t c = 99;
	/* ISA: above 16 MiB, or straddling it, is refused and counted */
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 32 * MiB, 4096, HW_DMA_TO_DEVICE, &c), HW_DMA_EMASK);
	ck_assert_uint_eq(c, 0);
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 16 * MiB - 4096, 8192, HW_DMA_FROM_DEVICE, &c),
			 HW_DMA_EMASK);
	/* the last 4 KiB below 16 MiB is fine */
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 16 * MiB - 4096, 4096, HW_DMA_FROM_DEVICE, &c), 0);
	const struct hw_dma_stats *st = hw_dma_stats(hw, isa);
	ck_assert_uint_eq(st->refusals, 2);
	ck_assert_uint_eq(st->transfers, 1);
	ck_assert_uint_eq(st->bytes, 4096);
	/* 32-bit: RAM above 4 GiB is out of reach, 64-bit reaches it */
	ck_assert_int_eq(hw_dma_transfer(hw, pci, 4 * GiB, 64, HW_DMA_TO_DEVICE, &c), HW_DMA_EMASK);
	ck_assert_int_eq(hw_dma_transfer(hw, nvme, 4 * GiB, 64, HW_DMA_TO_DEVICE, &c), 0);
	/* bad arguments */
	ck_assert_int_eq(hw_dma_attach(hw, "x", 0, 1, 0), HW_DMA_EINVAL);
	ck_assert_int_eq(hw_dma_attach(hw, "x", 65, 1, 0), HW_DMA_EINVAL);
	ck_assert_int_eq(hw_dma_attach(hw, "x", 32, 0, 0), HW_DMA_EINVAL);
	ck_assert_int_eq(hw_dma_transfer(hw, 7, 0, 64, HW_DMA_TO_DEVICE, &c), HW_DMA_EINVAL);
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 0, 64, 5, &c), HW_DMA_EINVAL);
}
END_TEST

START_TEST(transfer_cycles)
{
	/* setup + ceil(len / bytes_per_cycle):
	 *   ISA at 0.5 B/cycle, 4096 B: 1000 + 8192 = 9192
	 *   3 B/cycle, 100 B: 50 + ceil(33.3) = 84 */
	int isa = hw_dma_attach(hw, "isa", 24, 0.5, 1000);
	int odd = hw_dma_attach(hw, "odd", 32, 3, 50);
	cycle_t c;
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 1 * MiB, 4096, HW_DMA_TO_DEVICE, &c), 0);
	ck_assert_uint_eq(c, 9192);
	ck_assert_int_eq(hw_dma_transfer(hw, odd, 1 * MiB, 100, HW_DMA_FROM_DEVICE, &c), 0);
	ck_assert_uint_eq(c, 84);
	ck_assert_uint_eq(hw_dma_stats(hw, isa)->cycles, 9192);
	/* cost model off: no cycles, no counting, but masks still refuse */
	hw_set_cost_model(hw, false);
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 1 * MiB, 4096, HW_DMA_TO_DEVICE, &c), 0);
	ck_assert_uint_eq(c, 0);
	ck_assert_uint_eq(hw_dma_stats(hw, isa)->transfers, 1);
	ck_assert_int_eq(hw_dma_transfer(hw, isa, 64 * MiB, 1, HW_DMA_TO_DEVICE, &c), HW_DMA_EMASK);
}
END_TEST

START_TEST(device_write_invalidates)
{
	/* CPU 0 reads a 4 KiB buffer (64 lines) and writes one CPU 1 does not
	 * read; CPU 1 reads 16 of them. The device then writes the buffer: all 64 lines
	 * leave every cache, the written one's dirty data discarded; the next
	 * CPU reads go to DRAM (200) again. */
	int dev = hw_dma_attach(hw, "nic", 32, 8, 100);
	uint64_t buf = 2 * MiB;
	for (uint64_t a = 0; a < 4096; a += 64)
		hw_access(hw, 0, buf + a, 8, HW_READ);
	hw_access(hw, 0, buf + 2048, 8, HW_WRITE);
	for (uint64_t a = 0; a < 1024; a += 64)
		hw_access(hw, 1, buf + a, 8, HW_READ);
	ck_assert_uint_eq(hw_access(hw, 0, buf, 8, HW_READ), 4);
	cycle_t c;
	ck_assert_int_eq(hw_dma_transfer(hw, dev, buf, 4096, HW_DMA_FROM_DEVICE, &c), 0);
	ck_assert_uint_eq(c, 100 + 512);
	const struct hw_dma_stats *st = hw_dma_stats(hw, dev);
	ck_assert_uint_eq(st->lines_invalidated, 64);
	ck_assert_uint_eq(st->dirty_discarded, 1);
	for (int cpu = 0; cpu < 2; cpu++)
		ck_assert_uint_eq(cache_probe(hw_cache(hw, HW_L1D, cpu), buf), 0);
	ck_assert_uint_eq(cache_probe(hw_cache(hw, HW_LLC, 0), buf), 0);
	ck_assert_uint_eq(hw_access(hw, 0, buf, 8, HW_READ), 200);
	ck_assert_uint_eq(hw_access(hw, 1, buf + 64, 8, HW_READ), 200);
}
END_TEST

START_TEST(device_read_pollutes_nothing)
{
	/* CPU 0 writes one line of the buffer. The device reads the whole
	 * buffer: that one line is written back (and stays cached, clean); the
	 * other 63 lines enter no cache, so a CPU read of them still costs
	 * DRAM. */
	int dev = hw_dma_attach(hw, "nic", 32, 8, 100);
	uint64_t buf = 3 * MiB;
	hw_access(hw, 0, buf, 8, HW_WRITE);
	cycle_t c;
	ck_assert_int_eq(hw_dma_transfer(hw, dev, buf, 4096, HW_DMA_TO_DEVICE, &c), 0);
	ck_assert_uint_eq(hw_dma_stats(hw, dev)->lines_written_back, 1);
	ck_assert_uint_eq(hw_dma_stats(hw, dev)->lines_invalidated, 0);
	ck_assert_uint_eq(cache_probe(hw_cache(hw, HW_L1D, 0), buf) & CACHE_DIRTY, 0);
	ck_assert_uint_eq(hw_access(hw, 0, buf, 8, HW_READ), 4);
	for (uint64_t a = 64; a < 4096; a += 64) {
		ck_assert_uint_eq(cache_probe(hw_cache(hw, HW_LLC, 0), buf + a), 0);
		ck_assert_uint_eq(cache_probe(hw_cache(hw, HW_L2, 0), buf + a), 0);
	}
	ck_assert_uint_eq(hw_access(hw, 1, buf + 64, 8, HW_READ), 200);
	/* a second read of the buffer finds nothing dirty */
	ck_assert_int_eq(hw_dma_transfer(hw, dev, buf, 4096, HW_DMA_TO_DEVICE, &c), 0);
	ck_assert_uint_eq(hw_dma_stats(hw, dev)->lines_written_back, 1);
}
END_TEST

Suite *dma_suite(void)
{
	Suite *s = suite_create("dma");
	TCase *tc = tcase_create("dma");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, masks);
	tcase_add_test(tc, transfer_cycles);
	tcase_add_test(tc, device_write_invalidates);
	tcase_add_test(tc, device_read_pollutes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
