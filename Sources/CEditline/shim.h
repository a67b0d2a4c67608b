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
#include <termios.h>
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

/* SIGHUP or SIGTERM while reading a line (the terminal closed, or a kill): the line is
 * abandoned and the shell leaves as on Ctrl-D, saving history and closing the database. */
static volatile sig_atomic_t crm_hangup_flag = 0;

static inline void crm_on_hangup(int sig) {
    int saved = errno;
    crm_hangup_flag = sig;
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

/* The same for SIGHUP and SIGTERM; old must hold two actions. */
static inline void crm_install_hangup(struct sigaction old[2]) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crm_on_hangup;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGHUP, &sa, &old[0]);
    sigaction(SIGTERM, &sa, &old[1]);
}

static inline void crm_restore_hangup(const struct sigaction old[2]) {
    sigaction(SIGHUP, &old[0], NULL);
    sigaction(SIGTERM, &old[1], NULL);
}

/* Returns and clears the hang-up flag (the signal number, or 0). */
static inline int crm_take_hangup(void) {
    int v = crm_hangup_flag;
    crm_hangup_flag = 0;
    return v;
}

/* While a line is read, Ctrl-C, Ctrl-Z and Ctrl-\ arrive as bytes rather than signals
 * (ISIG off): a signal is delivered out of order with the keys typed around it, so keys
 * typed right after Ctrl-C could land in the abandoned line, and the kernel's flush on
 * SIGINT threw away type-ahead. libedit sets its own terminal mode at each readline()
 * and restores the cooked one (ISIG on) when the line is done, so Ctrl-C still stops a
 * running command. */
static inline void crm_keys_in_band(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) == 0 && (t.c_lflag & ISIG)) {
        t.c_lflag &= ~ISIG;
        tcsetattr(fd, TCSANOW, &t);
    }
}

/* Ctrl-Z typed at the prompt: stop as the shell expects, then put the line editor's
 * terminal mode back when continued (the shell leaves its own mode in place). */
static inline void crm_suspend(int fd) {
    struct termios mine, with_signals;
    int have = tcgetattr(fd, &mine) == 0;
    if (have) {
        with_signals = mine;
        with_signals.c_lflag |= ISIG;
        tcsetattr(fd, TCSANOW, &with_signals);
    }
    raise(SIGTSTP);
    if (have) tcsetattr(fd, TCSANOW, &mine);
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
    if (isatty(fd)) crm_keys_in_band(fd);
    for (;;) {
        if (crm_interrupt_flag || crm_hangup_flag) return -2;
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
    if (b == 0x03) { crm_interrupt_flag = 1; return '\n'; }   /* Ctrl-C, in band */
    if (b == 0x1A) { crm_suspend(fd); return 0x0C; }           /* Ctrl-Z; then redraw */
    if (b == 0x1C) return crm_getc(stream);                    /* Ctrl-\: ignored */
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
