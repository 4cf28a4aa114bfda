/*
 * hw/rtc/goldfish-rtc.h — the Goldfish real-time clock of Android's
 * virtual platform, the RTC of QEMU's RISC-V virt machine (Linux driver
 * rtc-goldfish, compatible "google,goldfish-rtc").
 *
 *   0x00 TIME_LOW        R: latch the time (ns since 1970), low 32 bits
 *                        W: set the time (with the TIME_HIGH latch)
 *   0x04 TIME_HIGH       R: high 32 bits of the time latched by TIME_LOW
 *                        W: latch the high half of a new time
 *   0x08 ALARM_LOW       W: low half of the alarm time, then arm it
 *   0x0c ALARM_HIGH      W: high half of the next alarm time
 *   0x10 IRQ_ENABLED     RW: bit 0 lets the alarm raise the interrupt
 *   0x14 CLEAR_ALARM     W: disarm
 *   0x18 ALARM_STATUS    R: 1 while an alarm is armed
 *   0x1c CLEAR_INTERRUPT W: acknowledge the alarm interrupt
 *
 * All registers are 32 bits wide.
 */
#ifndef HW_RTC_GOLDFISH_RTC_H
#define HW_RTC_GOLDFISH_RTC_H

#include "core/device.h"
#include "core/irq.h"

#define GOLDFISH_RTC_TIME_LOW        0x00
#define GOLDFISH_RTC_TIME_HIGH       0x04
#define GOLDFISH_RTC_ALARM_LOW       0x08
#define GOLDFISH_RTC_ALARM_HIGH      0x0c
#define GOLDFISH_RTC_IRQ_ENABLED     0x10
#define GOLDFISH_RTC_CLEAR_ALARM     0x14
#define GOLDFISH_RTC_ALARM_STATUS    0x18
#define GOLDFISH_RTC_CLEAR_INTERRUPT 0x1c
#define GOLDFISH_RTC_REG_SIZE        0x20

extern const DeviceType goldfish_rtc_type;

/* Create, realize and map at @addr an RTC with a window of @size bytes. */
DeviceState *goldfish_rtc_create(Machine *m, uint64_t addr, uint64_t size,
                                 Error **errp);

/* Wire the alarm interrupt output (to a PLIC source). */
void goldfish_rtc_connect_irq(DeviceState *dev, IRQLine irq);

#endif /* HW_RTC_GOLDFISH_RTC_H */
