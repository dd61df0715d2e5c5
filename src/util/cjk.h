/*
 * cjk.h - splitting Chinese and mixed text into search tokens.
 *
 * SQLite's trigram tokenizer cannot find two-character words (井盖, 占道)
 * and ICU splits them apart, so bihuan indexes CJK text as overlapping
 * bigrams plus unigrams, and ASCII words lower-cased:
 *
 *   document "网格员上报井盖破损" → 网 网格 格 格员 员 员上 … 破 破损 损
 *             (each bigram at the same position as its first character)
 *   query    "井盖"              → 井盖          (bigrams only, consecutive)
 *   query    "井"                → 井            (a lone character: unigram)
 *   query    "ABC井盖"           → abc 井盖
 *
 * Full-width ASCII letters and digits (Ａ, ３) are folded to ASCII.  Other
 * characters separate tokens; invalid UTF-8 bytes are skipped.
 */
#ifndef BH_CJK_H
#define BH_CJK_H

#include <stdbool.h>

#define CJK_TOKEN_COLOCATED 0x1 /* same position as the previous token */
#define CJK_TOKEN_MAX 256       /* longer ASCII words are cut to this */

/*
 * Called for each token: its bytes, its flags, and the byte range in the
 * input it came from.  A non-zero return stops tokenizing and is returned.
 */
typedef int (*cjk_token_fn)(void *ctx, int flags, const char *tok, int len,
                            int start, int end);

/* 'query' selects the query rules above.  Returns 0 or the callback's. */
int cjk_tokenize(const char *text, int len, bool query, cjk_token_fn fn,
                 void *ctx);

#endif
