/*
 * flotilla-guest: the small helper inside Flotilla's test guest (static, no libc tricks).
 *
 *   flotilla-guest counter DEVICE OFFSET [INTERVAL_MS]
 *       every INTERVAL_MS (default 100) write "FLOTILLA-COUNTER <n>\n" padded to 512 bytes
 *       at byte OFFSET of DEVICE, fsync it, then print "COUNT <n>" on stdout.
 *       Starts from the value already on the disk + 1 (0 if none). SIGTERM stops it between
 *       two writes (the power-button script does that), so the disk holds the last printed value.
 *   flotilla-guest dirty MIB
 *       allocate MIB MiB and forever increment one byte of every 4 KiB page, printing
 *       "DIRTY pass <n>" every 64 passes (migration integrity tests).
 *   flotilla-guest writer DEVICE BLOCK_KIB INTERVAL_MS
 *       every INTERVAL_MS write BLOCK_KIB KiB at the next of the device's blocks in a stride that visits them all
 *       (disk-wide writes for storage-migration benchmarks), fdatasync it, then print "WROTE <n>" on stdout.
 *   flotilla-guest powerbutton
 *       wait on every /dev/input/event* for KEY_POWER and then sync and power off.
 *       (Fallback if busybox acpid is not in use.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/fs.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void) sig; stop = 1; }

static void msleep(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stop) {}
}

static int counter(const char *dev, long long off, long interval) {
    int fd = open(dev, O_RDWR | O_SYNC);
    if (fd < 0) { perror(dev); return 1; }
    char buf[512];
    unsigned long long n = 0;
    if (pread(fd, buf, sizeof buf, off) == (ssize_t) sizeof buf) {
        buf[sizeof buf - 1] = 0;
        unsigned long long prev;
        if (sscanf(buf, "FLOTILLA-COUNTER %llu", &prev) == 1) n = prev + 1;
    }
    /* SIGTERM stops the counter between two writes, so the disk holds the last printed value */
    struct sigaction sa = { .sa_handler = on_term };
    sigaction(SIGTERM, &sa, NULL);
    for (;; n++) {
        if (stop) {
            if (n > 0) printf("COUNTER stopped at %llu\n", n - 1);
            return 0;
        }
        memset(buf, 0, sizeof buf);
        snprintf(buf, sizeof buf, "FLOTILLA-COUNTER %llu\n", n);
        if (pwrite(fd, buf, sizeof buf, off) != (ssize_t) sizeof buf) { perror("pwrite"); return 1; }
        if (fsync(fd) != 0) { perror("fsync"); return 1; }
        printf("COUNT %llu\n", n);
        fflush(stdout);
        msleep(interval);
    }
}

static int dirty(long mib) {
    size_t len = (size_t) mib << 20;
    volatile uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    memset((void *) p, 0, len);
    printf("DIRTY start %ld MiB\n", mib);
    fflush(stdout);
    for (unsigned long pass = 1;; pass++) {
        for (size_t i = 0; i < len; i += 4096) p[i]++;
        if (pass % 64 == 0) { printf("DIRTY pass %lu\n", pass); fflush(stdout); }
    }
}

static uint64_t gcd(uint64_t a, uint64_t b) { return b == 0 ? a : gcd(b, a % b); }

static int writer(const char *dev, long kib, long interval) {
    int fd = open(dev, O_WRONLY);
    if (fd < 0) { perror(dev); return 1; }
    uint64_t size;
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) { perror("BLKGETSIZE64"); return 1; }
    size_t block = (size_t) kib << 10;
    uint64_t blocks = size / block;
    if (kib <= 0 || blocks < 2) { fprintf(stderr, "writer: %s has fewer than two %ld KiB blocks\n", dev, kib); return 1; }
    char *buf = malloc(block);
    if (!buf) return 1;
    memset(buf, 0xa5, block);
    /* a stride prime to the count visits every block once per lap, each write far from the one before */
    uint64_t stride = blocks / 3 + 1;
    while (gcd(stride, blocks) != 1) stride++;
    printf("WRITER %s %llu blocks of %ld KiB every %ld ms\n", dev, (unsigned long long) blocks, kib, interval);
    for (unsigned long long n = 0;; n++) {
        uint64_t at = (n * stride) % blocks;
        memcpy(buf, &n, sizeof n);
        if (pwrite(fd, buf, block, (off_t) (at * block)) != (ssize_t) block) { perror("pwrite"); return 1; }
        if (fdatasync(fd) != 0) { perror("fdatasync"); return 1; }
        printf("WROTE %llu\n", n);
        if (interval > 0) msleep(interval);
    }
}

static int powerbutton(void) {
    glob_t g;
    struct pollfd fds[32];
    int n = 0;
    if (glob("/dev/input/event*", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && n < 32; i++) {
            int fd = open(g.gl_pathv[i], O_RDONLY);
            if (fd >= 0) { fds[n].fd = fd; fds[n].events = POLLIN; n++; }
        }
    }
    if (n == 0) { fprintf(stderr, "powerbutton: no /dev/input/event*\n"); return 1; }
    for (;;) {
        if (poll(fds, n, -1) < 0) { if (errno == EINTR) continue; perror("poll"); return 1; }
        for (int i = 0; i < n; i++) {
            if (!(fds[i].revents & POLLIN)) continue;
            struct input_event ev;
            if (read(fds[i].fd, &ev, sizeof ev) == (ssize_t) sizeof ev
                    && ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
                printf("FLOTILLA-GUEST power button: powering off\n");
                fflush(stdout);
                sync();
                reboot(RB_POWER_OFF);
                perror("reboot");
                return 1;
            }
        }
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && strcmp(argv[1], "counter") == 0)
        return counter(argv[2], atoll(argv[3]), argc >= 5 ? atol(argv[4]) : 100);
    if (argc >= 3 && strcmp(argv[1], "dirty") == 0) return dirty(atol(argv[2]));
    if (argc >= 5 && strcmp(argv[1], "writer") == 0) return writer(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc >= 2 && strcmp(argv[1], "powerbutton") == 0) return powerbutton();
    fprintf(stderr, "usage: flotilla-guest counter DEV OFFSET [MS] | dirty MIB | writer DEV KIB MS | powerbutton\n");
    return 2;
}
