/* SPDX-License-Identifier: MIT */
/* Status codes of every libnpu function (npu_strerror() names them). */
#ifndef NPU_ERR_H
#define NPU_ERR_H

typedef enum npu_status {
	NPU_OK = 0,
	NPU_E_INVAL = -1,	/* bad argument: null pointer, bad shape, bad parameter */
	NPU_E_NOMEM = -2,	/* host or device memory exhausted */
	NPU_E_UNSUPPORTED = -3,	/* the op or shape cannot run where asked */
	NPU_E_NODEV = -4,	/* the requested backend is not available */
	NPU_E_DEVICE = -5,	/* the device reported an error (see the message) */
	NPU_E_TIMEOUT = -6,	/* a job did not complete in time */
	NPU_E_MISMATCH = -7,	/* --check: device result differs from the reference */
	NPU_E_IO = -8,		/* file could not be read or written */
	NPU_E_PARSE = -9,	/* malformed network description */
	NPU_E_OVERFLOW = -10,	/* a size does not fit in size_t / the device's limits */
	NPU_E_STATE = -11,	/* call out of order (e.g. run before build) */
} npu_status;

#endif /* NPU_ERR_H */
