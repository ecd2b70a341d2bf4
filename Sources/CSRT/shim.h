#ifndef SLUICE_CSRT_SHIM_H
#define SLUICE_CSRT_SHIM_H

#include <srt/srt.h>
#include <srt/access_control.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/// SRT_INVALID_SOCK and SRT_ERROR are macros over casts that Swift does not import.
static inline SRTSOCKET csrt_invalid_sock(void) { return SRT_INVALID_SOCK; }
static inline int csrt_error(void) { return SRT_ERROR; }

#endif
