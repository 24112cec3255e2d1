/* The variadic functions of GDAL's C API. Stable Rust cannot define a
 * C-variadic function, so these format their message here and hand it to
 * the non-variadic functions exported by the Rust side. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct VSILFILE VSILFILE;

extern int VSIRS_WriteString(VSILFILE *fp, const char *pszText);
extern void VSIRS_CPLErrorMsg(int eErrClass, int nErrNo, const char *pszMsg);
extern void VSIRS_VSIErrorMsg(int nErrNo, const char *pszMsg);
extern void VSIRS_CPLDebugMsg(const char *pszCategory, const char *pszMsg);

/* Formats into a stack buffer, or a malloc'd one when the text is longer.
 * Returns the text (to be released with release_text) or NULL. */
static char *format_text(char *stack, size_t stack_size, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(stack, stack_size, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    if ((size_t)n < stack_size)
        return stack;
    char *heap = malloc((size_t)n + 1);
    if (heap == NULL)
        return NULL;
    vsnprintf(heap, (size_t)n + 1, fmt, ap);
    return heap;
}

static void release_text(char *text, char *stack)
{
    if (text != stack)
        free(text);
}

int VSIFPrintfL(VSILFILE *fp, const char *pszFormat, ...)
{
    if (pszFormat == NULL)
        return 0;
    char stack[1024];
    va_list ap;
    va_start(ap, pszFormat);
    char *text = format_text(stack, sizeof stack, pszFormat, ap);
    va_end(ap);
    if (text == NULL)
        return 0;
    int written = VSIRS_WriteString(fp, text);
    release_text(text, stack);
    return written;
}

void CPLError(int eErrClass, int nErrNo, const char *pszFormat, ...)
{
    char stack[1024];
    va_list ap;
    va_start(ap, pszFormat);
    char *text = pszFormat ? format_text(stack, sizeof stack, pszFormat, ap) : NULL;
    va_end(ap);
    VSIRS_CPLErrorMsg(eErrClass, nErrNo, text ? text : "");
    if (text)
        release_text(text, stack);
}

void VSIError(int nErrNo, const char *pszFormat, ...)
{
    char stack[1024];
    va_list ap;
    va_start(ap, pszFormat);
    char *text = pszFormat ? format_text(stack, sizeof stack, pszFormat, ap) : NULL;
    va_end(ap);
    VSIRS_VSIErrorMsg(nErrNo, text ? text : "");
    if (text)
        release_text(text, stack);
}

void CPLDebug(const char *pszCategory, const char *pszFormat, ...)
{
    char stack[1024];
    va_list ap;
    va_start(ap, pszFormat);
    char *text = pszFormat ? format_text(stack, sizeof stack, pszFormat, ap) : NULL;
    va_end(ap);
    VSIRS_CPLDebugMsg(pszCategory ? pszCategory : "", text ? text : "");
    if (text)
        release_text(text, stack);
}
