/* Test-only stand-in for Windows' bcryptprimitives.dll, built into the wine prefix of
 * .ci/windows and never shipped. python-calamine (Rust's standard library) imports
 * ProcessPrng from it; wine 8.0 has no such DLL. The random bytes come from wine's bcrypt. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
