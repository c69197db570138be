/* Test-only stand-in for Windows' colour management (mscms.dll), built into the wine prefix of
 * .ci/windows and loaded instead of wine's own (WINEDLLOVERRIDES=mscms=n,b); never shipped.
 * Qt's windows platform imports WcsCreateIccProfile, which wine 8.0 lacks, so the window could
 * not open at all. No screen has a colour profile here: Qt then draws in sRGB. */
#include <windows.h>

typedef HANDLE HPROFILE;

HPROFILE WINAPI OpenColorProfileW(void *profile, DWORD access, DWORD share, DWORD creation)
{
    (void)profile; (void)access; (void)share; (void)creation;
    SetLastError(ERROR_FILE_NOT_FOUND);
    return NULL;
}

BOOL WINAPI CloseColorProfile(HPROFILE profile) { (void)profile; return TRUE; }

BOOL WINAPI GetColorProfileFromHandle(HPROFILE profile, BYTE *buffer, DWORD *size)
{
    (void)profile; (void)buffer; (void)size;
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
}

HPROFILE WINAPI WcsCreateIccProfile(HPROFILE profile, DWORD options)
{
    (void)profile; (void)options;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}
