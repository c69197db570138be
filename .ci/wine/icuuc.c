/* Test-only stand-in for the ICU that Windows 10 and 11 carry (icuuc.dll), built into the wine
 * prefix of .ci/windows and never shipped. Qt6Core imports its converters (ucnv_*) for the
 * legacy text encodings; wine 8.0 has no ICU. Every converter is reported missing, so Qt keeps
 * to the encodings it handles itself (UTF-8, UTF-16, Latin-1, the system code page). */
#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
#define U_FILE_ACCESS_ERROR 4

static void fail(UErrorCode *status)
{
    if (status != NULL && *status <= 0)
        *status = U_FILE_ACCESS_ERROR;
}

void *ucnv_open(const char *name, UErrorCode *status) { (void)name; fail(status); return NULL; }
void ucnv_close(void *converter) { (void)converter; }
void ucnv_reset(void *converter) { (void)converter; }
int8_t ucnv_getMaxCharSize(const void *converter) { (void)converter; return 4; }
const char *ucnv_getName(const void *converter, UErrorCode *status)
{
    (void)converter; fail(status); return NULL;
}
void ucnv_getToUCallBack(const void *c, void **action, const void **context)
{
    (void)c; if (action) *action = NULL; if (context) *context = NULL;
}
void ucnv_getFromUCallBack(const void *c, void **action, const void **context)
{
    (void)c; if (action) *action = NULL; if (context) *context = NULL;
}
void ucnv_setToUCallBack(void *c, void *n, const void *nc, void **o, const void **oc,
                         UErrorCode *status)
{
    (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(status);
}
void ucnv_setFromUCallBack(void *c, void *n, const void *nc, void **o, const void **oc,
                           UErrorCode *status)
{
    (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(status);
}
void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units,
                                   int32_t length, int reason, UErrorCode *status)
{
    (void)context; (void)args; (void)units; (void)length; (void)reason; (void)status;
}
void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const uint16_t *units,
                                     int32_t length, int32_t point, int reason,
                                     UErrorCode *status)
{
    (void)context; (void)args; (void)units; (void)length; (void)point; (void)reason;
    (void)status;
}
void ucnv_cbToUWriteUChars(void *args, const uint16_t *source, int32_t length, int32_t offset,
                           UErrorCode *status)
{
    (void)args; (void)source; (void)length; (void)offset; fail(status);
}
void ucnv_cbFromUWriteUChars(void *args, const uint16_t **source, const uint16_t *limit,
                             int32_t offset, UErrorCode *status)
{
    (void)args; (void)source; (void)limit; (void)offset; fail(status);
}
void ucnv_toUnicode(void *c, uint16_t **target, const uint16_t *target_limit,
                    const char **source, const char *source_limit, int32_t *offsets,
                    int flush, UErrorCode *status)
{
    (void)c; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(status);
}
void ucnv_fromUnicode(void *c, char **target, const char *target_limit,
                      const uint16_t **source, const uint16_t *source_limit, int32_t *offsets,
                      int flush, UErrorCode *status)
{
    (void)c; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(status);
}
int32_t ucnv_toUCountPending(const void *c, UErrorCode *status) { (void)c; fail(status); return 0; }
int32_t ucnv_fromUCountPending(const void *c, UErrorCode *status)
{
    (void)c; fail(status); return 0;
}
const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *status)
{
    (void)name; (void)standard; fail(status); return NULL;
}
const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
int32_t ucnv_countAvailable(void) { return 0; }
