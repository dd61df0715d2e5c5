/*
 * wording.h - how bihuan words what a person did not write: rules of plain
 * text, no I/O.
 */
#ifndef BH_WORDING_H
#define BH_WORDING_H

#include <stddef.h>

#define WORDING_TITLE_CHARS 20 /* of the description, in a derived title */

/*
 * The title of a case reported without one: "类别名：地址" when there is an
 * address, else "类别名：" and the description's first sentence (up to
 * 。！？；, a line break or WORDING_TITLE_CHARS characters, "…" when cut),
 * white space runs as one space; the category name alone when there is
 * neither.  Written to buf (size > 0), cut at a character boundary if it
 * does not fit.  Any argument but buf may be NULL.
 */
void wording_case_title(const char *category, const char *address, const char *description,
                        char *buf, size_t size);

#endif
