#ifndef CRM_EDITLINE_SHIM_H
#define CRM_EDITLINE_SHIM_H

#include <stdio.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <poll.h>
#include <fcntl.h>
#include <editline/readline.h>

/*
 * Ctrl-C handling for the REPL. libedit's own signal handling must stay off
 * (rl_catch_signals = 0): Swift cannot unwind through it. Our handler only sets a
 * flag; the read loop below notices it and ends the line. Only LineEditor.swift
 * calls these, so the static state has one copy.
 */
static volatile sig_atomic_t crm_interrupt_flag = 0;
/* Self-pipe: the signal may be delivered to any thread of the process (Swift runs
 * others), so a blocked read on the main thread is not reliably interrupted. The
 * handler also writes a byte here, and the reader waits on both descriptors. */
static int crm_interrupt_pipe[2] = {-1, -1};

static inline void crm_on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    crm_interrupt_flag = 1;
    if (crm_interrupt_pipe[1] >= 0) { ssize_t w = write(crm_interrupt_pipe[1], "!", 1); (void)w; }
    errno = saved;
}

static inline void crm_drain_interrupt_pipe(void) {
    char buf[64];
    if (crm_interrupt_pipe[0] >= 0)
        while (read(crm_interrupt_pipe[0], buf, sizeof buf) > 0) {}
}

/* Installs the flag-setting SIGINT handler without SA_RESTART, so a blocked read
 * returns EINTR. The previous action is saved in *old. */
static inline int crm_install_sigint(struct sigaction *old) {
    if (crm_interrupt_pipe[0] < 0 && pipe(crm_interrupt_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(crm_interrupt_pipe[i], F_SETFL, fcntl(crm_interrupt_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(crm_interrupt_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crm_on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(SIGINT, &sa, old);
}

static inline int crm_restore_sigint(const struct sigaction *old) {
    return sigaction(SIGINT, old, NULL);
}

/* Returns and clears the interrupt flag. */
static inline int crm_take_interrupt(void) {
    int v = crm_interrupt_flag;
    crm_interrupt_flag = 0;
    crm_drain_interrupt_pipe();
    return v;
}

/* Reads one byte from fd, waiting on the interrupt pipe too. Returns the byte, -1 at
 * EOF or on an error, -2 when interrupted (a Ctrl-C also makes the kernel flush unread
 * input, so nothing else would wake us). */
static inline int crm_read_byte(int fd) {
    for (;;) {
        if (crm_interrupt_flag) return -2;
        struct pollfd p[2] = {{fd, POLLIN, 0}, {crm_interrupt_pipe[0], POLLIN, 0}};
        int r = poll(p, crm_interrupt_pipe[0] >= 0 ? 2 : 1, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (p[1].revents) { crm_drain_interrupt_pipe(); continue; }
        unsigned char c;
        ssize_t n = read(fd, &c, 1);
        if (n == 1) return c;
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        return -1;
    }
}

/*
 * rl_getc_function for libedit: libedit stores whatever this returns as one wide
 * character, so a plain byte reader garbles typed and pasted UTF-8. This reads a
 * whole UTF-8 sequence and returns its code point; -1 is EOF or an error.
 */
static inline int crm_getc(FILE *stream) {
    int fd = stream ? fileno(stream) : 0;
    int b = crm_read_byte(fd);
    /* Interrupted: end the line as Enter would (libedit ignores an EOF on a non-empty
     * line); the flag stays set, so the caller discards what was typed. */
    if (b == -2) return '\n';
    if (b < 0x80) return b;
    int extra, cp;
    if ((b & 0xE0) == 0xC0) { extra = 1; cp = b & 0x1F; }
    else if ((b & 0xF0) == 0xE0) { extra = 2; cp = b & 0x0F; }
    else if ((b & 0xF8) == 0xF0) { extra = 3; cp = b & 0x07; }
    else return 0xFFFD;
    for (int i = 0; i < extra; i++) {
        int n = crm_read_byte(fd);
        if (n == -2) return '\n';
        if (n < 0) return -1;
        if ((n & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (n & 0x3F);
    }
    return cp;
}

#endif
