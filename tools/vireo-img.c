/*
 * tools/vireo-img.c — disk image utility, spelled like qemu-img.
 *
 * The entry point: global options (-h/--help, -V/--version), then the
 * subcommand, found in img_commands[]. Each row names a subcommand, the
 * synopsis "--help" prints and the function that runs it; the
 * subcommands themselves live in tools/img/ (see img-internal.h for
 * their shared conventions). "--help" is a loop over the table, so a new
 * subcommand is a new file plus one row here.
 */
#include "tools/img/img-internal.h"

static const ImgCommand img_commands[] = {
    { "bench", "bench [-c count] [-d depth] [-f fmt] "
      "[--flush-interval=flush_interval] [-n] [--no-drain] [-o offset] "
      "[--pattern=pattern] [-q] [-s buffer_size] [-S step_size] [-t cache] "
      "[-w] [-U] filename", img_bench },
    { "check", "check [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] "
      "[-T src_cache] [-U] filename", img_check },
    { "commit", "commit [-q] [-f fmt] [-t cache] [-b base] [-d] [-p] "
      "filename", img_commit },
    { "compare", "compare [-f fmt] [-F fmt] [-T src_cache] [-p] [-q] [-s] "
      "[-U] filename1 filename2", img_compare },
    { "convert", "convert [-U] [-c] [-p] [-q] [-n] [-f fmt] [-t cache] "
      "[-T src_cache] [-O output_fmt] [-B backing_file [-F backing_fmt]] "
      "[-o options] [-S sparse_size] [-m num_coroutines] [-W] "
      "filename [filename2 [...]] output_filename", img_convert },
    { "create", "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] "
      "[-u] [-o options] filename [size]", img_create },
    { "info", "info [-f fmt] [--output=ofmt] [--backing-chain] [-U] "
      "filename", img_info },
    { "map", "map [-f fmt] [--start-offset=offset] [--max-length=len] "
      "[--output=ofmt] [-U] filename", img_map },
    { "measure", "measure [--output=ofmt] [-O output_fmt] [-o options] "
      "[--size N | [-f fmt] [-l snapshot_param] filename]", img_measure },
    { "snapshot", "snapshot [-U] [-q] [-l | -a snapshot | -c snapshot | "
      "-d snapshot] filename", img_snapshot },
    { "rebase", "rebase [-U] [-q] [-f fmt] [-t cache] [-T src_cache] [-p] "
      "[-u] -b backing_file [-F backing_fmt] filename", img_rebase },
    { "resize", "resize [-f fmt] [--preallocation=prealloc] [-q] "
      "[--shrink] filename [+ | -]size", img_resize },
};

/* The explanations after the synopses, in qemu-img's order. */
static const char img_help_text[] =
    "\n"
    "Command parameters:\n"
    "  'filename' is a disk image filename\n"
    "  'fmt' is the disk image format. It is guessed automatically in most "
    "cases\n"
    "  'cache' is the cache mode used to write the output disk image, the "
    "valid\n"
    "    options are: 'none', 'writeback' (default, except for convert), "
    "'writethrough',\n"
    "    'directsync' and 'unsafe' (default for convert)\n"
    "  'src_cache' is the cache mode used to read input disk images, the "
    "valid\n"
    "    options are the same as for the 'cache' option\n"
    "  'size' is the disk image size in bytes. Optional suffixes\n"
    "    'k' or 'K' (kilobyte, 1024), 'M' (megabyte, 1024k), 'G' (gigabyte, "
    "1024M),\n"
    "    'T' (terabyte, 1024G), 'P' (petabyte, 1024T) and 'E' (exabyte, "
    "1024P)  are\n"
    "    supported. 'b' is ignored.\n"
    "  'output_filename' is the destination disk image filename\n"
    "  'output_fmt' is the destination format\n"
    "  'options' is a comma separated list of format specific options in a\n"
    "    name=value format. Use -o help for an overview of the options "
    "supported by\n"
    "    the used format\n"
    "  'snapshot_param' is the name or ID of an internal snapshot\n"
    "  '-c' indicates that target image must be compressed (qcow2 only)\n"
    "  '-u' allows unsafe backing chains. For rebasing, it is assumed that "
    "old and\n"
    "       new backing file match exactly. The image doesn't need a working\n"
    "       backing file before rebasing in this case (useful for renaming "
    "the\n"
    "       backing file). For image creation, allow creating without "
    "attempting\n"
    "       to open the backing file.\n"
    "  '-h' with or without a command shows this help and lists the "
    "supported formats\n"
    "  '-p' show progress of command (only certain commands)\n"
    "  '-q' use Quiet mode - do not print any output (except errors)\n"
    "  '-S' indicates the consecutive number of bytes (defaults to 4k) that "
    "must\n"
    "       contain only zeros for vireo-img to create a sparse image during\n"
    "       conversion. If the number of bytes is 0, the source will not be "
    "scanned for\n"
    "       unallocated or zero sectors, and the destination image will "
    "always be\n"
    "       fully allocated\n"
    "  '--output' takes the format in which the output must be done (human "
    "or json)\n"
    "  '-n' skips the target volume creation (useful if the volume is "
    "created\n"
    "       prior to running vireo-img)\n"
    "\n"
    "Parameters to check subcommand:\n"
    "  '-r' tries to repair any inconsistencies that are found during the "
    "check.\n"
    "       '-r leaks' repairs only cluster leaks, whereas '-r all' fixes "
    "all\n"
    "       kinds of errors, with a higher risk of choosing the wrong fix or\n"
    "       hiding corruption that has already occurred.\n"
    "\n"
    "Parameters to convert subcommand:\n"
    "  '-m' specifies how many coroutines work in parallel during the "
    "convert\n"
    "       process (defaults to 8)\n"
    "  '-W' allow to write to the target out of order rather than "
    "sequential\n"
    "\n"
    "Parameters to snapshot subcommand:\n"
    "  'snapshot' is the name of the snapshot to create, apply or delete\n"
    "  '-a' applies a snapshot (revert disk to saved state)\n"
    "  '-c' creates a snapshot\n"
    "  '-d' deletes a snapshot\n"
    "  '-l' lists all snapshots in the given image\n"
    "\n"
    "Parameters to compare subcommand:\n"
    "  '-f' first image format\n"
    "  '-F' second image format\n"
    "  '-s' run in Strict mode - fail on different image size or sector "
    "allocation\n";

void img_help(FILE *out)
{
    char *formats = bdrv_format_list();

    fprintf(out, "vireo-img version %s\n"
            "usage: vireo-img [standard options] command [command options]\n"
            "Disk image utility\n\n"
            "    '-h', '--help'       display this help and exit\n"
            "    '-V', '--version'    output version information and exit\n\n"
            "Command syntax:\n", VIREO_VERSION);
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        fprintf(out, "  %s\n", img_commands[i].synopsis);
    }
    fprintf(out, "%s\nSupported formats: %s\n", img_help_text, formats);
    free(formats);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd;
    int c;

    if (argc < 2) {
        return img_usage_error("Not enough arguments");
    }
    /* Global options stop at the subcommand name ('+'). */
    img_getopt_reset();
    while ((c = img_getopt(argc, argv, "+:hV", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'V':
            printf("vireo-img version %s\n", VIREO_VERSION);
            return 0;
        default:
            return 1;
        }
    }
    if (optind >= argc) {
        return img_usage_error("Not enough arguments");
    }
    cmd = argv[optind];
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        if (!strcmp(img_commands[i].name, cmd)) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;

            img_getopt_reset();
            return img_commands[i].run(sub_argc, sub_argv);
        }
    }
    return img_usage_error("Command not found: %s", cmd);
}
