/*
 * tools/vireo-img.c — disk image utility, spelled like qemu-img.
 *
 * Subcommands are rows of img_commands[]; "vireo-img --help" is a loop
 * over it. This first version knows raw images only (create, info,
 * resize); qcow2 and the rest of qemu-img's commands arrive with the block
 * layer, and until then they fail with a clear message.
 */
#include "util/error.h"
#include "util/opts.h"
#include "util/osdep.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct ImgCommand {
    const char *name;
    const char *synopsis;
    int (*run)(int argc, char **argv);
} ImgCommand;

static int img_create(int argc, char **argv);
static int img_info(int argc, char **argv);
static int img_resize(int argc, char **argv);

static const ImgCommand img_commands[] = {
    { "create", "create [-f fmt] filename [size]", img_create },
    { "info", "info [-f fmt] [--output=human|json] filename", img_info },
    { "resize", "resize [-f fmt] filename [+|-]size", img_resize },
};

static void img_usage(FILE *out)
{
    fprintf(out, "vireo-img version %s\n"
            "usage: vireo-img [standard options] command [command options]\n"
            "Disk image utility\n\n"
            "    '-h', '--help'       display this help and exit\n"
            "    '-V', '--version'    output version information and exit\n\n"
            "Command syntax:\n", VIREO_VERSION);
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        fprintf(out, "  %s\n", img_commands[i].synopsis);
    }
    fprintf(out, "\nSupported formats: raw\n");
}

static bool img_check_format(const char *fmt)
{
    if (fmt && strcmp(fmt, "raw")) {
        error_report("Unknown file format '%s'", fmt);
        return false;
    }
    return true;
}

static bool img_parse_size(const char *str, uint64_t *size)
{
    if (!parse_size(str, 1, size)) {
        error_report("Invalid image size specified. You may use k, M, G, T, "
                     "P or E suffixes for");
        return false;
    }
    return true;
}

static int img_create(int argc, char **argv)
{
    const char *fmt = "raw";
    uint64_t size = 0;
    int c, fd;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:qo:")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'q':
            break;
        case 'o':
            error_report("Invalid options for file format 'raw'");
            return 1;
        default:
            return 1;
        }
    }
    if (!img_check_format(fmt)) {
        return 1;
    }
    if (optind >= argc) {
        error_report("Expecting image file name");
        return 1;
    }
    if (optind + 1 < argc && !img_parse_size(argv[optind + 1], &size)) {
        return 1;
    }
    fd = open(argv[optind], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, size) < 0) {
        error_report("%s: Could not create '%s': %s", argv[optind],
                     argv[optind], strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return 1;
    }
    close(fd);
    printf("Formatting '%s', fmt=raw size=%" PRIu64 "\n", argv[optind], size);
    return 0;
}

static int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    struct stat st;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+f:", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            output = optarg;
            break;
        default:
            return 1;
        }
    }
    if (!img_check_format(fmt)) {
        return 1;
    }
    if (strcmp(output, "human") && strcmp(output, "json")) {
        error_report("--output must be used with human or json as argument.");
        return 1;
    }
    if (optind >= argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    if (stat(argv[optind], &st) < 0) {
        error_report("Could not open '%s': %s", argv[optind], strerror(errno));
        return 1;
    }
    if (!strcmp(output, "json")) {
        printf("{\n    \"virtual-size\": %lld,\n    \"filename\": \"%s\",\n"
               "    \"format\": \"raw\",\n    \"actual-size\": %lld,\n"
               "    \"dirty-flag\": false\n}\n", (long long)st.st_size,
               argv[optind], (long long)st.st_blocks * 512);
    } else {
        printf("image: %s\nfile format: raw\nvirtual size: %lld bytes\n"
               "disk size: %lld bytes\n", argv[optind], (long long)st.st_size,
               (long long)st.st_blocks * 512);
    }
    return 0;
}

static int img_resize(int argc, char **argv)
{
    const char *fmt = NULL, *spec;
    uint64_t delta;
    struct stat st;
    int64_t new_size;
    int c, fd;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:q")) != -1) {
        if (c == 'f') {
            fmt = optarg;
        } else if (c != 'q') {
            return 1;
        }
    }
    if (!img_check_format(fmt) ) {
        return 1;
    }
    if (optind + 2 != argc) {
        error_report("Expecting image file name and size");
        return 1;
    }
    spec = argv[optind + 1];
    if (stat(argv[optind], &st) < 0) {
        error_report("Could not open '%s': %s", argv[optind], strerror(errno));
        return 1;
    }
    if (!img_parse_size(spec + (*spec == '+' || *spec == '-'), &delta)) {
        return 1;
    }
    new_size = *spec == '+' ? st.st_size + (int64_t)delta
             : *spec == '-' ? st.st_size - (int64_t)delta : (int64_t)delta;
    if (new_size < 0) {
        error_report("New image size must be positive");
        return 1;
    }
    fd = open(argv[optind], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, new_size) < 0) {
        error_report("Could not resize '%s': %s", argv[optind],
                     strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return 1;
    }
    close(fd);
    printf("Image resized.\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        error_report("Not enough arguments");
        fprintf(stderr, "Try 'vireo-img --help' for more information\n");
        return 1;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        img_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("vireo-img version %s\n", VIREO_VERSION);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        if (!strcmp(img_commands[i].name, argv[1])) {
            return img_commands[i].run(argc - 1, argv + 1);
        }
    }
    error_report("Command not found: %s", argv[1]);
    return 1;
}
