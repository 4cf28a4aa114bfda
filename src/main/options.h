/*
 * main/options.h — the system emulator's command line.
 *
 * One const table (main/options.c) describes every option: its name, its
 * argument, its help line and the handler that records it in a VmConfig.
 * "-h" is a loop over the table. Handlers check syntax and values as early
 * as possible, so "-m banana" fails with one line naming the option before
 * anything is built; cross-option checks happen in options_finish().
 */
#ifndef MAIN_OPTIONS_H
#define MAIN_OPTIONS_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "hw/core/machine.h"

/* What parsing decided the program should do. */
typedef enum OptionsOutcome {
    OPTIONS_RUN,        /* build and run the VM */
    OPTIONS_EXIT_OK,    /* help or version was printed: exit 0 */
    OPTIONS_ERROR,      /* an error was reported: exit 1 */
} OptionsOutcome;

/*
 * Parse argv into @config for the binary described by @target. Help
 * requests ("-M help", "-device NAME,help", ...) are answered on stdout.
 * On OPTIONS_ERROR *errp holds the one-line message.
 */
OptionsOutcome options_parse(const SystemTarget *target, int argc,
                             char **argv, VmConfig *config, Error **errp);
void vm_config_free(VmConfig *config);

#endif /* MAIN_OPTIONS_H */
