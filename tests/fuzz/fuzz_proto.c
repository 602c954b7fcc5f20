/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the spawner/init record codec (lib/proto.c). Each input is used
 * twice: as a record to decode (what decodes must re-encode to the same bytes, which
 * decode to the same message) and as a message to encode (what the encoder accepts must
 * decode back to it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fuzz.h"

/* True when A and B are the same message as far as the record of their type carries. */
static int same_msg(const struct nsb_msg *a, const struct nsb_msg *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case NSB_MSG_GO:
		return strncmp(a->text, b->text, sizeof a->text) == 0;
	case NSB_MSG_ERROR:
		return strncmp(a->phase, b->phase, sizeof a->phase) == 0 &&
		       strncmp(a->text, b->text, sizeof a->text) == 0;
	default:
		return 1;
	}
}

/* The record DATA decodes, re-encodes to the same bytes, and decodes to the same message. */
static void decode_side(const uint8_t *data, size_t size)
{
	static struct nsb_msg m, again;
	static char buf[NSB_PROTO_MAX];
	if (nsb_msg_decode(&m, (const char *)data, size) != 0)
		return;
	if (strnlen(m.phase, sizeof m.phase) == sizeof m.phase ||
	    strnlen(m.text, sizeof m.text) == sizeof m.text)
		fuzz_fail("decoded strings are not terminated");
	ssize_t n = nsb_msg_encode(&m, buf, sizeof buf);
	if (n < 0)
		fuzz_fail("a decoded record does not encode");
	if ((size_t)n != size || memcmp(buf, data, size) != 0)
		fuzz_fail("a decoded record encodes to other bytes");
	if (nsb_msg_decode(&again, buf, (size_t)n) != 0)
		fuzz_fail("a re-encoded record does not decode");
	if (!same_msg(&m, &again))
		fuzz_fail("a re-encoded record decodes to another message");
}

/* Builds a message from DATA (type, buffer size, filler, phase, text; the strings need
 * not end inside their arrays) and checks that what encodes decodes back to it. */
static void encode_side(const uint8_t *data, size_t size)
{
	static const char types[] = { NSB_MSG_GO, NSB_MSG_READY, NSB_MSG_ERROR, NSB_MSG_BOOTED, 'X', 0 };
	static struct nsb_msg m, out;
	static char buf[NSB_PROTO_MAX];
	if (size < 4)
		return;
	m.type = (enum nsb_msg_type)types[data[0] % sizeof types];
	size_t len = data[1] & 1 ? sizeof buf : data[1] >> 1;
	memset(m.phase, data[2], sizeof m.phase);
	memset(m.text, data[2], sizeof m.text);
	size_t p = data[3] % (sizeof m.phase + 1);
	data += 4;
	size -= 4;
	if (p > size)
		p = size;
	memcpy(m.phase, data, p);
	size_t t = size - p < sizeof m.text ? size - p : sizeof m.text;
	memcpy(m.text, data + p, t);

	ssize_t n = nsb_msg_encode(&m, buf, len);
	if (n < 0)
		return;
	if ((size_t)n > len || n > NSB_PROTO_MAX)
		fuzz_fail("the encoder wrote past the buffer");
	if (nsb_msg_decode(&out, buf, (size_t)n) != 0)
		fuzz_fail("an encoded record does not decode");
	if (!same_msg(&m, &out))
		fuzz_fail("an encoded record decodes to another message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_side(data, size);
	encode_side(data, size);
	return 0;
}
