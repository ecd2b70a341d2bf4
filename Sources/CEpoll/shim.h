#ifndef SLUICE_CEPOLL_SHIM_H
#define SLUICE_CEPOLL_SHIM_H

// Linux's epoll, which Swift's Glibc module does not carry: sluice-read waits on a thousand
// HTTP readers' sockets at once.
#include <sys/epoll.h>

#endif
