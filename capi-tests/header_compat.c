/*
 * header_compat.c -- compile-only check (ctest: test_header_compat) that C
 * code written against GDAL's cpl_vsi.h / cpl_error.h / cpl_conv.h /
 * cpl_string.h compiles unchanged against cpl_vsi_rs.h with -Werror.
 *
 * Every call uses exactly the argument types of GDAL's declarations, in
 * particular `const char *const *` for the options of VSIOpenDir, VSISync
 * and VSICopyFile (GDAL declares them so in C, not as CSLConstList), and
 * `char **` (CSLConstList in C) for VSIFOpenEx2L and VSIUnlinkBatch.
 * It is compiled, never run.
 */
#include "cpl_vsi_rs.h"

#include <stdio.h>

static int progress(double dfComplete, const char *pszMessage, void *pProgressArg)
{
    (void)dfComplete;
    (void)pszMessage;
    (void)pProgressArg;
    return TRUE;
}

static void CPL_handler(CPLErr eErrClass, CPLErrorNum nError, const char *pszMsg)
{
    (void)eErrClass;
    (void)nError;
    (void)pszMsg;
}

int header_compat_main(void);
int header_compat_main(void)
{
    /* Options lists the way GDAL's C prototypes take them. */
    const char *const apszDirOptions[] = {"NAME_AND_TYPE_ONLY=YES", NULL};
    const char *const *papszConstOptions = apszDirOptions;
    char *apszOpenOptions[] = {"KEY=VALUE", NULL};
    char **papszOptions = apszOpenOptions;

    VSIDIR *psDir = VSIOpenDir("/vsimem/", -1, papszConstOptions);
    const VSIDIREntry *psEntry = psDir ? VSIGetNextDirEntry(psDir) : NULL;
    if (psEntry && VSI_ISDIR(psEntry->nMode) && psEntry->bSizeKnown && psEntry->nSize > 0 &&
        psEntry->nMTime > 0 && psEntry->papszExtra == NULL && psEntry->pszName[0])
        puts(psEntry->pszName);
    if (psDir)
        VSICloseDir(psDir);

    char **papszOutputs = NULL;
    int bOk = VSISync("/vsimem/a/", "/vsimem/b", papszConstOptions, progress, NULL, &papszOutputs);
    CSLDestroy(papszOutputs);
    int nRet = VSICopyFile("/vsimem/a", "/vsimem/b", NULL, (vsi_l_offset)-1, papszConstOptions,
                           progress, NULL);

    VSILFILE *fp = VSIFOpenEx2L("/vsimem/x", "wb", TRUE, papszOptions);
    VSIStatBufL sStat;
    if (VSIStatExL("/vsimem/x", &sStat, VSI_STAT_EXISTS_FLAG | VSI_STAT_SIZE_FLAG) == 0 &&
        VSI_ISREG(sStat.st_mode) && sStat.st_size > 0 && sStat.st_mtime > 0)
        nRet++;
    if (fp) {
        GByte abyBuf[4] = {0};
        vsi_l_offset nOff = VSIFTellL(fp);
        size_t nRead = VSIFReadL(abyBuf, 1, sizeof(abyBuf), fp);
        VSIFWriteL(abyBuf, 1, nRead, fp);
        VSIFPrintfL(fp, "%d %s " "%llu", 1, "two", (unsigned long long)nOff);
        VSIFPutcL('x', fp);
        VSIRangeStatus eStatus = VSIFGetRangeStatusL(fp, 0, 10);
        if (eStatus == VSI_RANGE_STATUS_HOLE)
            nRet++;
        if (VSIFCloseL(fp) != 0)
            nRet++;
    }

    int *panRet = VSIUnlinkBatch(papszOptions);
    VSIFree(panRet);

    GByte *pabyData = NULL;
    vsi_l_offset nSize = 0;
    if (VSIIngestFile(NULL, "/vsimem/x", &pabyData, &nSize, -1))
        CPLFree(pabyData);
    GByte *pabyMem = (GByte *)VSIMalloc(10);
    VSIFCloseL(VSIFileFromMemBuffer("/vsimem/y", pabyMem, 10, TRUE));
    pabyMem = VSIGetMemFileBuffer("/vsimem/y", &nSize, TRUE);
    VSIFree(pabyMem);

    GIntBig nFree = VSIGetDiskFreeSpace("/tmp");
    GUIntBig nUnsigned = (GUIntBig)nFree;
    (void)nUnsigned;

    CPLErrorHandler pfnOld = CPLSetErrorHandler(CPL_handler);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLError(CE_Failure, CPLE_AppDefined, "%s %d", "error", 1);
    CPLErr eErr = CPLGetLastErrorType();
    CPLErrorNum nErr = CPLGetLastErrorNo();
    const char *pszMsg = CPLGetLastErrorMsg();
    CPLPopErrorHandler();
    CPLSetErrorHandler(pfnOld);
    CPLErrorReset();
    CPLDebug("CAT", "%s", pszMsg);
    VSIError(VSIE_FileError, "%s", "x");
    VSIErrorNum nVSIErr = VSIGetLastErrorNo();
    VSIErrorReset();

    CPLSetConfigOption("KEY", "VALUE");
    CPLSetThreadLocalConfigOption("KEY", NULL);
    const char *pszValue = CPLGetConfigOption("KEY", "default");
    if (CPLTestBool(pszValue))
        nRet++;

    char **papszList = VSIReadDirEx("/vsimem/", 10);
    papszList = CSLAddString(papszList, "extra");
    if (CSLCount(papszList) > 0 && CSLFetchNameValue(papszList, "KEY") == NULL)
        nRet++;
    CSLDestroy(papszList);
    char **papszPrefixes = VSIGetFileSystemsPrefixes();
    CSLDestroy(papszPrefixes);

    if (VSIMkdirRecursive("/vsimem/d", 0755) == 0 && VSIRmdirRecursive("/vsimem/d") == 0 &&
        VSIRename("/vsimem/a", "/vsimem/b") == 0 && VSIUnlink("/vsimem/b") == 0)
        nRet++;
    (void)VSI_L_OFFSET_MAX;

    return bOk + nRet + (int)eErr + nErr + nVSIErr;
}
