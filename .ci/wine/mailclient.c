/* Test-only: a mail program's Simple MAPI, for the proof under wine (.ci/wine/prove.py).

   Registered as the default mail program of the wine prefix (HKLM\Software\Clients\Mail), it
   is what wine's mapi32.dll hands MAPISendMailW / MAPISendMail to, as Windows' mapi32 hands them
   to Outlook's or Thunderbird's. Instead of showing a new message it writes what it received to
   the file named by SRADAR_MAPI_RECORD, as JSON in UTF-8: the function called, the flags, the
   subject, the text, each recipient and each file (its path, its name, and the size of the file
   found at that path), then answers SUCCESS_SUCCESS. It sends nothing, and shows nothing. */

#include <windows.h>
#include <stdio.h>

typedef struct {
    ULONG ulReserved, ulRecipClass;
    LPWSTR lpszName, lpszAddress;
    ULONG ulEIDSize;
    LPVOID lpEntryID;
} RecipW;
typedef struct {
    ULONG ulReserved, flFlags, nPosition;
    LPWSTR lpszPathName, lpszFileName;
    LPVOID lpFileType;
} FileW;
typedef struct {
    ULONG ulReserved;
    LPWSTR lpszSubject, lpszNoteText, lpszMessageType, lpszDateReceived, lpszConversationID;
    ULONG flFlags;
    RecipW *lpOriginator;
    ULONG nRecipCount;
    RecipW *lpRecips;
    ULONG nFileCount;
    FileW *lpFiles;
} MessageW;
typedef struct {
    ULONG ulReserved, ulRecipClass;
    LPSTR lpszName, lpszAddress;
    ULONG ulEIDSize;
    LPVOID lpEntryID;
} RecipA;
typedef struct {
    ULONG ulReserved, flFlags, nPosition;
    LPSTR lpszPathName, lpszFileName;
    LPVOID lpFileType;
} FileA;
typedef struct {
    ULONG ulReserved;
    LPSTR lpszSubject, lpszNoteText, lpszMessageType, lpszDateReceived, lpszConversationID;
    ULONG flFlags;
    RecipA *lpOriginator;
    ULONG nRecipCount;
    RecipA *lpRecips;
    ULONG nFileCount;
    FileA *lpFiles;
} MessageA;

static void json_string(FILE *out, const WCHAR *text)
{
    if (!text) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        WCHAR c = *text;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", (char)c);
        else if (c < 0x20 || c > 0x7e)
            fprintf(out, "\\u%04x", (unsigned)c); /* UTF-16 units: JSON reads surrogates */
        else
            fputc((char)c, out);
    }
    fputc('"', out);
}

static WCHAR *widen(const char *text)
{
    int size;
    WCHAR *wide;
    if (!text)
        return NULL;
    size = MultiByteToWideChar(CP_ACP, 0, text, -1, NULL, 0);
    wide = HeapAlloc(GetProcessHeap(), 0, size * sizeof(WCHAR));
    MultiByteToWideChar(CP_ACP, 0, text, -1, wide, size);
    return wide;
}

static LONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    if (!path || !GetFileAttributesExW(path, GetFileExInfoStandard, &data))
        return -1;
    return ((LONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
}

static FILE *record(void)
{
    WCHAR path[MAX_PATH];
    if (!GetEnvironmentVariableW(L"SRADAR_MAPI_RECORD", path, MAX_PATH))
        return NULL;
    return _wfopen(path, L"wb");
}

static void write_record(FILE *out, const char *function, ULONG_PTR parent, ULONG flags,
                         const WCHAR *subject, const WCHAR *text, ULONG recipients,
                         const ULONG *classes, WCHAR *const *names, WCHAR *const *addresses,
                         ULONG files, WCHAR *const *paths, WCHAR *const *file_names)
{
    ULONG i;
    fprintf(out, "{\"function\": \"%s\", \"parent\": %llu, \"flags\": %lu, \"subject\": ",
            function, (unsigned long long)parent, flags);
    json_string(out, subject);
    fputs(", \"text\": ", out);
    json_string(out, text);
    fputs(", \"recipients\": [", out);
    for (i = 0; i < recipients; i++) {
        fprintf(out, "%s{\"class\": %lu, \"name\": ", i ? ", " : "", classes[i]);
        json_string(out, names[i]);
        fputs(", \"address\": ", out);
        json_string(out, addresses[i]);
        fputc('}', out);
    }
    fputs("], \"files\": [", out);
    for (i = 0; i < files; i++) {
        fputs(i ? ", {\"path\": " : "{\"path\": ", out);
        json_string(out, paths[i]);
        fputs(", \"name\": ", out);
        json_string(out, file_names[i]);
        fprintf(out, ", \"size\": %lld}", file_size(paths[i]));
    }
    fputs("]}\n", out);
}

#define MOST 16

ULONG WINAPI MAPISendMailW(ULONG_PTR session, ULONG_PTR parent, MessageW *message, ULONG flags,
                           ULONG reserved)
{
    ULONG classes[MOST], i, recipients, files;
    WCHAR *names[MOST], *addresses[MOST], *paths[MOST], *file_names[MOST];
    FILE *out = record();
    if (!out || !message)
        return 2; /* MAPI_E_FAILURE */
    recipients = min(message->nRecipCount, MOST);
    files = min(message->nFileCount, MOST);
    for (i = 0; i < recipients; i++) {
        classes[i] = message->lpRecips[i].ulRecipClass;
        names[i] = message->lpRecips[i].lpszName;
        addresses[i] = message->lpRecips[i].lpszAddress;
    }
    for (i = 0; i < files; i++) {
        paths[i] = message->lpFiles[i].lpszPathName;
        file_names[i] = message->lpFiles[i].lpszFileName;
    }
    write_record(out, "MAPISendMailW", parent, flags, message->lpszSubject,
                 message->lpszNoteText, recipients, classes, names, addresses, files, paths,
                 file_names);
    fclose(out);
    return 0; /* SUCCESS_SUCCESS */
}

ULONG WINAPI MAPISendMail(ULONG_PTR session, ULONG_PTR parent, MessageA *message, ULONG flags,
                          ULONG reserved)
{
    ULONG classes[MOST], i, recipients, files;
    WCHAR *names[MOST], *addresses[MOST], *paths[MOST], *file_names[MOST];
    FILE *out = record();
    if (!out || !message)
        return 2;
    recipients = min(message->nRecipCount, MOST);
    files = min(message->nFileCount, MOST);
    for (i = 0; i < recipients; i++) {
        classes[i] = message->lpRecips[i].ulRecipClass;
        names[i] = widen(message->lpRecips[i].lpszName);
        addresses[i] = widen(message->lpRecips[i].lpszAddress);
    }
    for (i = 0; i < files; i++) {
        paths[i] = widen(message->lpFiles[i].lpszPathName);
        file_names[i] = widen(message->lpFiles[i].lpszFileName);
    }
    write_record(out, "MAPISendMail", parent, flags, widen(message->lpszSubject),
                 widen(message->lpszNoteText), recipients, classes, names, addresses, files,
                 paths, file_names);
    fclose(out);
    return 0;
}
