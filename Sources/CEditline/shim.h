#ifndef CRM_EDITLINE_SHIM_H
#define CRM_EDITLINE_SHIM_H

#include <stdio.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <editline/readline.h>

/*
 * Ctrl-C handling for the REPL. libedit's own signal handling must stay off
 * (rl_catch_signals = 0): Swift cannot unwind through it. Our handler only sets a
 * flag; the read loop below notices it and ends the line. Only LineEditor.swift
 * calls these, so the static state has one copy.
 */
static volatile sig_atomic_t crm_interrupt_flag = 0;

static inline void crm_on_sigint(int sig) {
    (void)sig;
    crm_interrupt_flag = 1;
}

/* Installs the flag-setting SIGINT handler without SA_RESTART, so a blocked read
 * returns EINTR. The previous action is saved in *old. */
static inline int crm_install_sigint(struct sigaction *old) {
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
    return v;
}

/*
 * rl_getc_function for libedit: libedit stores whatever this returns as one wide
 * character, so a plain byte reader garbles typed and pasted UTF-8. This reads a
 * whole UTF-8 sequence and returns its code point; -1 ends the line (EOF, error, or
 * Ctrl-C).
 */
static inline int crm_read_byte(int fd) {
    unsigned char c;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 1) return c;
        if (n == 0) return -1;
        if (errno == EINTR) {
            if (crm_interrupt_flag) return -1;
            continue;
        }
        return -1;
    }
}

static inline int crm_getc(FILE *stream) {
    int fd = stream ? fileno(stream) : 0;
    int b = crm_read_byte(fd);
    if (b < 0x80) return b;
    int extra, cp;
    if ((b & 0xE0) == 0xC0) { extra = 1; cp = b & 0x1F; }
    else if ((b & 0xF0) == 0xE0) { extra = 2; cp = b & 0x0F; }
    else if ((b & 0xF8) == 0xF0) { extra = 3; cp = b & 0x07; }
    else return 0xFFFD;
    for (int i = 0; i < extra; i++) {
        int n = crm_read_byte(fd);
        if (n < 0) return -1;
        if ((n & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (n & 0x3F);
    }
    return cp;
}

#endif
