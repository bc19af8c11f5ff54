/* vr.c - result code descriptions. */
#include "vr.h"

const char *vr_strerror(int rc)
{
	switch (rc) {
	case VR_OK: return "success";
	case VR_EINVAL: return "invalid argument";
	case VR_EAGAIN: return "temporarily unavailable, retry";
	case VR_EIO: return "input/output error";
	case VR_ETIMEDOUT: return "timed out";
	case VR_EPARSE: return "parse error";
	case VR_ENOMEM: return "out of memory";
	case VR_ELIMIT: return "limit reached";
	case VR_ENOTFOUND: return "not found";
	}
	return "unknown error";
}
