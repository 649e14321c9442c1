"""libmagic 5.44's tests that can match a text file, in its order (generated: do not edit).

Built by tests/data/sniff/build_magic_cues.py from Debian 12's /usr/lib/file/magic.mgc.
"""

# offset -> the values of the binary pass's top-level string tests there
STARTS: dict[int, tuple[bytes, ...]] = {
    0: (b'\n#\n## <SHAREFILE=', b'\n%PDF-', b'\n(', b'\n<HELP NAME=', b'\nGL', b'\r\nSYSLINUX ', b'\r#\r## <SHAREFILE=', b'\x1b%-12345X%!PS', b'\x1b%-12345X@PJL', b'\x1b%-1B', b'\x1bE\x1b', b'\x1bLua', b'\x1bc\x1b', b'        -:    0:Source:', b'!<PDF>!\n', b'!<arch>\n', b'!<arch>\n________64E', b'!<arch>\n__________E', b'!<arch>\ndebian', b'!<bout>', b'!<spell2>', b'!<spell>', b'!<thin>\n', b'#\n## <SHAREFILE=', b'#\r## <SHAREFILE=', b'# \r## <DESCRIBE>', b'# .PCD', b'# ACE/gr fit description ', b'# ACE/gr parameter file', b'# Bazaar merge directive format', b'# Bazaar revision bundle v', b'# CAR archive header', b'# GIMP Curves File', b'# Grace project file', b'# LAMMPS data file', b'# Netscape folder cache', b'# PaCkAgE DaTaStReAm', b'# abook addressbook file', b'# daub', b'# v2 git bundle\n', b'# xmgr parameter file', b'# xvgr parameter file', b'#!', b'#! /usr/bin/env perl', b'#!/usr/bin/env', b'#!/usr/bin/env perl', b'#!/usr/bin/pdmenu', b'#!AMR', b'#!BPY', b'#!teapot\nxdr', b'## <SHAREFILE=', b'## <summary>', b'## version', b'#%Module', b'#?RADIANCE\n', b'#Inventor V', b'#Inventor V2', b'#LyX', b'#OPL_II#', b'#SUNPC_CONFIG', b'#VRML', b'#X3D', b'#kmchart', b'#pmchart', b'#pmdahotproc', b'#pmieconf-rules', b'#pmlogconf-setup', b'#pmlogger', b'#usda ', b'$@MID@$', b'$ANSIBLE_VAULT;', b'$FL2', b'$FL3', b'$HSF', b'$RBU', b'$SDI', b'$Suite', b'%!', b'%!FontType1', b'%!PS-Adobe-3.0 Resource-Font', b'%!PS-AdobeFont-1.', b'%!VMF', b'%% TDR 2.0', b'%%HP:', b'%FDF-', b'%PDF-', b'%SEMI-OASIS\r\n', b'%TGIF ', b'%XDELTA%', b'%XDZ000%', b'%XDZ001%', b'%XDZ002%', b'%XDZ003%', b'%XDZ004%', b'(***********************', b'(*This is a Mathematica binary ', b'(*^\n\n::[\t', b'(*^\n\n::[\tfrontEndVersion = ', b'(*^\n\r\n\r::[\t', b'(*^\n::[\t', b'(*^\r', b'(*^\r\n\r\n::[\t', b'(*^\r\n::[\t', b'(*^\r\r::[\t', b'(*^\r::[\t', b'(C) CED 87', b"(SYSTEM::VERSION '", b'(export', b'(fp_lib_table', b'(kicad_pcb', b'(kicad_sch', b'(kicad_symbol_lib', b'(module', b'(sym_lib_table', b"(|SYSTEM|::|VERSION| '", b'** This file contains an SQLite', b'**** FRITZ!Box ', b'**TI73**', b'**TI80**', b'**TI81**', b'**TI82**', b'**TI83**', b'**TI83F*', b'**TI85**', b'**TI86**', b'**TI89**', b'**TI92**', b'**TI92P*', b'**TIFL**', b'*BEGIN', b'*PPD-Adobe: ', b'*STA', b'*dvdisaster*', b'*mbx*', b'+/v+', b'+/v/', b'+/v8', b'+/v9', b',AR7', b'-- H2 0.5/B -- \n', b'-----BEGIN CERTIFICATE REQ', b'-----BEGIN CERTIFICATE-----', b'-----BEGIN DSA PRIVATE', b'-----BEGIN EC PRIVATE', b'-----BEGIN ECDSA PRIVATE', b'-----BEGIN OPENSSH PRIVATE KEY-----', b'-----BEGIN PGP MESSAGE-', b'-----BEGIN PGP SIGNATURE-', b'-----BEGIN PGP SIGNED MESSAGE-', b'-----BEGIN PGP SIGNED MESSAGE-----', b'-----BEGIN RSA PRIVATE', b'--=</Begin HP Signed', b'-H2O', b'-rom1fs-', b'.DAFSA@PSL_', b'.KEY', b'.MCAD\t', b'.MDA', b'.MDP', b'.SYSTEM', b'.key', b'.snd', b'.system', b'/* ', b'/* CTF ', b'// <!-- <mdb:mork:z v="', b'0       ', b'0123456789012345BZh', b'070701', b'070702', b'070707', b'0gawa', b'0xabcdef', b'1giM', b'2278', b'2BIT', b'2GXT', b'2IMG', b'3DSX', b"5\nA_Rat's_Life", b'5\nAncient_Realms', b'5\nArea44', b'5\nArea_33', b"5\nArmagon's_Lair", b'5\nAzure_Agony', b'5\nB.O.S.S._HQ', b'5\nBACK_2_MALICE', b'5\nCastle_of_the_Damned', b'5\nChambers_of_Torment', b'5\nClaustrophobopolis', b'5\nCommand_HQ', b'5\nCrazy_Eights!', b'5\nDOMINO', b'5\nEast_Side_Invertationa', b'5\nGloom_Keep', b"5\nHell's_Atrium", b'5\nInto_The_Flood', b'5\nIntroduction', b'5\nLimbo', b'5\nMilitary_Complex', b"5\nMortum's_Keep", b'5\nNuclear_Plant', b'5\nPandemonium', b'5\nPlace_of_Two_Deaths', b'5\nResearch_Facility', b"5\nSANDRA'S_LADDER", b'5\nSECRET_MISSIONS', b'5\nSHOWDOWN!', b"5\nSatan's_Dark_Delight", b"5\nShub-Niggurath's_Pit", b'5\nSlaughterhouse', b"5\nStayin'_Alive", b'5\nStorage_Facility', b'5\nSub_Station', b'5\nTakahiro_Base', b'5\nTakahiro_Laboratories', b'5\nTakahiro_Towers', b'5\nTermination_Central', b'5\nThe_Abandoned_Base', b'5\nThe_Academy', b'5\nThe_Bad_Place', b'5\nThe_Black_Cathedral', b'5\nThe_Catacombs', b'5\nThe_Cistern', b'5\nThe_Dark_Zone', b'5\nThe_Door_To_Chthon', b'5\nThe_Elder_God_Shrine', b'5\nThe_Flood', b'5\nThe_Foundry', b'5\nThe_Gauntlet', b'5\nThe_Genetics_Lab', b"5\nThe_Gremlin's_Domain", b'5\nThe_Hospital', b'5\nThe_House_of_Chthon', b'5\nThe_Incinerator_Plant', b'5\nThe_Lab', b'5\nThe_Pain_Maze', b'5\nThe_Pumping_Station', b'5\nThe_Seventh_Precinct', b'5\nThe_Tower_of_Despair', b'5\nThe_Underwater_Base', b'5\nTur_Torment', b'5\nUnderearth', b'5\nVaults_of_Zin', b'5\nWind_Tunnels', b'5\nZiggurat_Vertigo', b'5\nthe_Crypt__', b'5\nthe_Crypt_of_Decay', b'5\nthe_Dismal_Oubliette', b'5\nthe_Ebon_Fortress', b'5\nthe_Edge_of_Oblivion', b'5\nthe_Grisly_Grotto', b'5\nthe_Haunted_Halls', b'5\nthe_Installation', b'5\nthe_Lost_Mine', b'5\nthe_Nameless_City', b'5\nthe_Necropolis', b'5\nthe_Ogre_Citadel', b'5\nthe_Palace_of_Hate', b'5\nthe_Sewage_System', b'5\nthe_Slipgate_Complex', b'5\nthe_Tomb_of_Terror', b"5\nthe_Wizard's_Manse", b'777', b'7kSt', b'8BPS', b':)\n', b';', b';; HSF V', b';ELC', b';Gamebryo KFM File Version ', b'<!DOCTYPE RCC>', b'<!DOCTYPE qgis', b'<!OPS', b'<!SQ A/E>', b'<!SQ DTD>', b'<!SQ STS>', b'<<bbx>>', b'<?php', b'<?xml', b'<?xml version=', b'<BookFile', b'<CPM_Disk>', b'<CUD-FM-File>', b'<DC-', b'<HELP NAME=', b'<MIFFile', b'<MML', b'<Maker Intermediate Print File', b'<MakerFile', b'<MakerScreenFont', b'<PACKAGE=', b'<SCRIBUSUTF8 Version', b'<SCRIBUSUTF8NEW Version', b'<aiaff>', b'<ar>', b'<bigaf>', b'<list>\n<protocol bbn-m', b'<map', b'<stata_dta><header><release>', b'<svg', b'=srl', b'@  MFER ', b'@ MFR ', b'@(#)ADF Database', b'@(#)SunPHIGS', b'@CT ', b'@CorelBMF\n\rCorel Corporation', b'@HD\t', b'@PJL ENTER LANGUAGE=FWUPDATE2', b'@document(', b'A#S#C#S#S#L#HUB', b'A#S#C#S#S#L#V#3', b'A2R', b'AB', b'ABF ', b'AC1.2', b'AC1.3', b'AC1.40', b'AC1.50', b'AC1001', b'AC1002', b'AC1003', b'AC1004', b'AC1006', b'AC1009', b'AC1012', b'AC1013', b'AC1014', b'AC1015', b'AC1018', b'AC1021', b'AC1024', b'AC1027', b'AC1032', b'AC1035', b'AC2.10', b'AC2.21', b'AC2.22', b'ACMP', b'ADIF', b'ADRVPACK', b'ADU1', b'ADU2', b'AES', b'AKPK', b'AKT', b'AKT32', b'ALPHA-TRACE-MEDICAL', b'AMANDA: ', b'AMF', b'AMOS Basic ', b'AMOS Pro', b'AMVS', b'ANDROID BACKUP\n', b'ANDROID!', b'ANIM', b'ANP', b'AON', b'AON4artofnoise', b'APIC', b'APS10', b'ARF_BEGARF', b'ARMovie\n', b'ARP.', b'ARRI', b'ASD', b'ASTM-E57', b'AT&TFORM', b'ATES MEDICA SOFT. EEG for Windows', b'ATF\t', b'AUDIMG', b'AUX', b'AVG7_ANTIVIRUS_VAULT_FILE', b'AWBM', b'Abort', b'AmBk', b'AmBs', b'AmIc', b'AmSp', b'AntiVir Qua', b'AxGr', b'B&W256', b'B000FF\n', b'BA', b'BABYL OPTIONS:', b'BANDAI SFC-ADX', b'BB3D', b'BBCD', b'BCI2000V', b'BEGIN SPECWEB', b'BEGIN:IMELODY', b'BIK', b'BIX0', b'BKHD', b'BLENDER', b'BM', b'BOA', b'BOMStore', b'BP', b'BPS1', b'BSDIFF40', b'BWC', b'BZ0', b'BZ3v1', b'BZh', b'Bagpipe', b'BambooTracker', b'Bitmapfile', b'Blink', b'Bochs Virtual HD Image', b'Borland C++ Pro', b'Brain Vision Data Exchange Header File', b'Brain Vision Data Exchange Marker File, Version', b'Brain Vision V-Amp Data Header File Version', b'C128 CARTRIDGE', b'C565', b'C64 CARTRIDGE', b'C64-TAPE-RAW', b'C64File', b'C64Image', b'C64S tape file', b'CABS', b'CAR 2.00', b'CAR 2.01', b'CBM2 CARTRIDGE', b'CC2x', b'CCSD3ZF', b'CD', b'CEDFILE', b'CI', b'CISO', b'CIV5', b'CIV6', b'CKD_C064', b'CKD_C370', b'CKD_P064', b'CKD_P370', b'CKD_S064', b'CKD_S370', b'CMP0CMP', b'CO ', b'COL', b'CON ', b'COWD', b'CP', b'CPE', b'CPQRFBLO', b'CPT', b'CRAM', b'CREG', b'CRID', b'CROMFS', b'CRUSH', b'CRfs', b'CSBK', b'CSTM', b'CTMF', b'CUBE', b'CWAV', b'Caml1999', b'ChfLZ', b'ClamAV-VDB:', b'Client UrlCache MMF', b'Cobalt Networks Inc.\nFirmware v', b'Cr24', b'Creative Voice File', b'CrshDump', b'CtrsME', b'CtrsMO', b'CtrsNU', b'CtrsTI', b'CyrSBytecode', b'D1.0\r', b'DAF/SPK', b'DAFETF NAIF DAF ENCODED', b'DATA', b'DBM0', b'DBPF', b'DCU1', b'DDMF', b'DEMG', b'DF;', b'DFM', b'DIRC', b'DISO', b'DIST', b'DMDL', b'DMS!', b'DOC', b'DOS', b'DOS Client Message File:', b'DSBB', b'DSD ', b'DSDT', b'DSIGDCC', b'DST', b'DUMPEDGNUEMACS', b'DVDVIDEO-VMG', b'DVDVIDEO-VTS', b'DZ', b'DanM', b'Dirk Paehl', b'Draw', b'E2UNDO02', b'EBUILD', b'EDILZSS', b'EESchema', b'EESchema-DOCLIB', b'EESchema-LIBRARY', b'EFI PART', b'EGGA', b'EMOD', b'ESP', b'ESTFBINR', b'ESVG', b'EXTENDED CPC DSK Fil', b'EZD_MAP', b'Embla data file', b'Extended Instrument:', b'Extended Module:', b'Extreme', b'FACP', b'FAR', b'FATX', b'FC14', b'FCS1.0', b'FCS2.0', b'FCS3.0', b'FGF95a', b'FILE', b'FILM', b'FIZ', b'FLIF', b'FMK!', b'FOR1', b'FORM', b'FOVb', b'FOXSQZ', b'FP1', b'FP2', b'FRM8', b'FS21', b'FS30', b'FSTM', b'FTMN', b'FTNCHEK_ P', b'FUJIFILMCCD-RAW', b'FasdUAS', b'FileId=TMSi PortiLab sample log file\n\rVersion=', b'G9B', b'GALILEO EEG TRACE FILE', b'GARMIN BITMAP 01', b'GBIX', b'GBL', b'GBMP', b'GBS', b'GBST', b'GCAX', b'GCIX', b'GCR-1541', b'GDBM', b'GDF', b'GDM', b'GDST', b'GERBIL', b'GIF8', b'GIF94z', b'GKSM', b'GMBU', b'GNU tar-', b'GOOF----', b'GRG', b'GRIB', b'GRUBLAYO', b'GST2', b'GTS5', b'GVRT', b'GVariant', b'Gamebryo File Format, Version ', b'Glul', b'GtaSA29', b'HCA', b'HCB', b'HDCS', b'HDMV0100', b'HEADER    ', b'HG10', b'HLSQZ', b'HM3W', b'HP3', b'HPA', b'HPAK', b'HPHP', b'HVL', b'HVQM4', b'HWP Document File', b'Header\r\nFile', b'HeaderLen=', b'HyperTerminal ', b'IAvSFo', b'IBSP', b'IC', b'ID3', b'ID;P', b'IDA1', b'IDP2', b'IDS2', b'IGOR', b'IIN1', b'IIO1$', b'IIO2H', b'IIRO', b'IIRS', b'ILDA', b'IMGfile', b'IMP\n', b'IMPI', b'IMPM', b'IMPS', b'IN;', b'INPS', b'IP0', b'ISHNE1.0', b'ISPL', b'ISc(', b'IT01', b'IT02', b'ITEM: TIMESTEP', b'ITOLITLS', b'IWAD', b'Identification_Information', b'Imagefile version-', b'Inno Setup Messages (', b'Inno Setup Uninstall Log (b)', b'Interpress/Xerox', b'IsZ!', b'JARCS', b'JASC-PAL\r\n', b'JAVA PROFILE 1.0.', b'JCH', b'JRchive', b'JZJZ', b'Jetsam0', b'Joy!peffpwpc', b'Junglevision Patch File', b'KB2', b'KCF', b'KDMV', b'KDUMP   ', b'KEB ', b'KF', b'KGB_arch', b'KICK', b'KLF', b'KSCC', b'KSSX', b'KarmaRHD Version', b'KenSilverman', b'KiSS', b'KpGr', b'LA', b'LAMMPS (', b'LAMMPS data file', b'LASF', b'LBLSIZE=', b'LCDi', b'LDLINUX SYS ', b'LEOLZW', b'LG', b'LIVE', b'LM8953', b'LPKSHHRH', b'LRZI', b'LUCAM-RECORDER', b'LX', b'LYNX', b'LZ', b'LZIP', b'LZX', b'LammpS RestartT', b'LibvirtQemudPart', b'LibvirtQemudSave', b'LinS', b'LinuxGuestRecord', b'MAC ', b'MAKI01', b'MAKI02  ', b'MANIFEST', b'MAPZ)', b'MAS_U', b'MAS_UTrack_V00', b'MATLAB', b'MBMS', b'MBSTV ', b'MC0.0', b'MCFG', b'MComprHD', b'MDMP', b'MDmd', b'MED', b'MFM_DISK', b'MGS', b'MIOPEN', b'MMD0', b'MMD1', b'MMD3', b'MMMD', b'MMOR', b'MMV', b'MO3', b'MODINFO1', b'MOOF', b'MOVI', b'MP', b'MP+', b'MPCK', b'MPK', b'MSTSM', b'MT20', b'MTM', b'MTSM', b'MTZ ', b'MThd', b'MV - CPC format Dis', b'MV - CPCEMU Disk-Fil', b'MZ', b'Maestro\r', b'MeTaSt00r3', b'Microsoft C/C++ ', b'MythTV', b'NBCDB\n', b'NEKO', b'NEURALEV', b'NEX1', b'NIST_1A\n   1024\n', b'NITF', b'NJPL1I00', b'NP', b'NPFF', b'NSFE', b'NSK', b'NSO0', b'NSVf', b'NeXT', b'NetImmerse File Format, Version', b'NetS', b'NetWare Loadable Module', b'Novell Message Librarian Data File', b'NuFile', b'Nullsoft AVS Preset ', b'NuppelVideo', b'O:', b'OAK', b'OKTASONG', b'OOOM', b'OPCACHE', b'ORC', b'ORICDISK', b'OTTO', b'Obj', b'ObserverPktBuffe', b'OctaMEDCmpr', b'Octave-1-B', b'Octave-1-L', b'OggS', b'Ora ', b'P4', b'P5', b'P6', b'P7', b'P7 332', b'PA', b'PACK', b'PAGE', b'PAQ', b'PAR', b'PAR1', b'PAR2', b'PATCH', b'PBF', b'PCBNEW-LibModule-V1', b'PCD_OPA', b'PCO-', b'PCPFolio', b'PCjr', b'PDN3', b'PDS_', b'PDZ', b'PFR0', b'PFR1', b'PFS0', b'PFS1\n', b'PGDMP', b'PGF', b'PHILIPP', b'PIC', b'PIRS', b'PK\x08\x08BGI', b'PLEX', b'PLUS4 CARTRIDGE', b'PMCC', b'PMEM', b'PNCIUNDO', b'POLY SAMPLE FILEversion ', b'POLYMODU', b'POLYSAVE', b'PO^Q`', b'PP11', b'PP20', b'PPF10', b'PPF20', b'PPF30', b'PPMZ', b'PPU', b'PRBS', b'PS ', b'PS-X EXE', b'PS4', b'PS9', b'PSA', b'PSAR', b'PSF', b'PSID', b'PVF1\n', b'PVF2\n', b'PVRT', b'PWAD', b'PWS3', b'PXR-USDC', b'PaRtImAgE-VoLuMe', b'Packed File ', b'Paint Shop Pro Image File', b'PcPh', b'Pi', b'Playdate AUD', b'Playdate IMG', b'Playdate IMT', b'Playdate PDZ', b'Playdate STR', b'Playdate VID', b'PmN', b'PmNs', b'PuTTY-User-Key-File-', b'QEVM', b'QL5', b'R-AXIS4   ', b'RAD by REALiTY!!', b'RAWADATA', b'RAXIS     ', b'RCF', b'RDSK', b'REDIS', b'REGEDIT', b'RE~^', b'RGDB', b'RIFF', b'RIFX', b'RMD1', b'RNC', b'RSIC', b'RSID', b'RSRC', b'RSTM', b'RTMM', b'RTSS', b'RZIP', b'RZX!', b'RaS', b'Rast', b'RuneCT', b'S0', b'SANM', b'SAP\r\n', b'SAS', b'SAdT', b'SB2100', b'SB2100DR', b'SB2100PR', b'SBC', b'SBI', b'SBMBAKUP_', b'SBx', b'SC68 Music-file / (c) (BeN)jami', b'SCOW', b'SCRSHOT_', b'SCVM', b'SCgf', b'SChF', b'SDPX', b'SEGA SEGAKATANA ', b'SEGA SEGASATURN ', b'SEGABOOTDISC    ', b'SEGADISCSYSTEM  ', b'SEM', b'SEQ', b'SGA3', b'SGIAUDIT', b'SHCC3', b'SIDPLAY INFOFILE', b'SIMPLE  =', b'SINCLAIR', b'SIT!', b'SITD', b'SLIB', b'SLIC', b'SMD1', b'SMDH', b'SMK', b'SMOD', b'SNES-SPC700 Sound File Data v', b'SONG', b'SOUND SAMPLE DATA ', b'SP', b'SQLite format 3', b'SQSH', b'SQWEZ', b'SSDT', b'SSH PRIVATE KEY', b'SVN-fs-dump-format-version:', b'SX961999', b'Salted__', b'Seg', b'Sfff', b'SnAp', b'SplineFontDB:', b'Start:-', b'StartFont', b'StartFontMetrics', b'StuffIt', b'SymM', b'SymVid', b'Synth4.0', b'T3-state-v', b'T707', b'TABL', b'TABLE', b'TADS2 bin', b'TADS2 rsc', b'TADS2 save', b'TADS2 save/g', b'TAPE', b'TDB file', b'TFMX-SONG', b'THX', b'TKEY', b'TN:', b'TNES', b'TOC', b'TPF0', b'TTA1', b'TVS\r\n', b'TWIN97012000', b'TZif', b'This is a BitMap file', b'TiEmu', b'ToKyO CaBiNeT\n', b'Type', b'U2FsdGVkX1', b'U3D', b'UB', b'UF2\n', b'UFA', b'UHA', b'UHB', b'ULEB\n', b'UN05', b'UNIF', b'UPS1', b'UTE+', b'Unison archive format', b'Uzna', b'V3.0            ', b'VBOX', b'VCLMTF', b'VER2', b'VER=9\r\nCTIME=', b'VIC20 CARTRIDGE', b'VMAP', b'VMDK', b'VOX ', b'VTF3', b'VTI', b'Vgm ', b'VimCrypt~', b'VoIP Startup and', b'WARC/', b'WBFS', b'WINE REGISTRY Version ', b'WNGZWZHP', b'WNGZWZSC', b'WNGZWZSS', b'WOZ', b'WWP', b'Warcraft III recorded game', b'Winamp EQ library file', b'Windows Registry Editor ', b'X ', b'X 495', b'X hp', b'X impr', b'X ps', b'X1', b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', b'XAD!', b'XBEH', b'XBTF', b'XEX1', b'XEX2', b'XFSM', b'XIA1\r', b'XIP0', b'XIS', b'XNB', b'XPDS', b'XPKF', b'XPR0', b'XTF0', b'Xcur', b'XhDr', b'YARA', b'YBS', b'ZBOT', b'ZEC3', b'ZJZJ', b'ZXAYEMUL', b'ZXST', b'ZZ0', b'[', b'[Adblock Plus', b'[Equalizer preset]', b'\\1cw', b'\\1cw ', b'\\[DEPOT\\]\n\x0c', b'\\[depot\\]\n\x0c', b'_A2module', b'_SGI_SoundTrack', b'avaobj', b'axgx', b'b0VIM ', b'b0nano', b'bFLT', b'blob ', b'bnry', b'bplist', b'bplist00', b'btrfs-stream', b'bvx-', b'bvx1', b'bvx2', b'bvxn', b'caff', b'commit ', b'conectix', b'core', b'cscope', b'cyd!inst', b'cyd!song', b'd13:announce-list', b'd4:info', b'd7:comment', b'd8:announce', b'dex\n', b'dey\n', b'divert(-1)\n', b'dlV1', b'dlV2', b'drpm', b'ecdsa-sha2-nistp256', b'ecdsa-sha2-nistp384', b'ecdsa-sha2-nistp521', b'fLaC', b'farbfeld', b'filedesc://', b'flc', b'flf', b'g GCE', b'gimp xcf', b'glTF', b'glfHeadMagic();', b'glsBeginGLS(', b'gmon', b'gpch', b'hopperdb', b'hsi1', b'hsqs', b'iLO3 v ', b'iRivDB', b'icns', b'iptrace 1.0', b'iptrace 2.0', b'jm', b'kbd!map', b'kych', b'lect', b'llvc0', b'llvc1', b'llvc2', b'llvm', b'makedumpfile', b'mdbm', b'minidump FreeBSD/', b'mozLz4a', b'mpu401tr', b'msc', b'mscdocument', b'msgcat01', b'naUz', b'ofTAZ!', b'pM85', b'pM86', b'pN', b'package0', b'package1', b'package4', b'pcxLib', b'perl-store', b'pk\x08\x08BGI', b'ply\n', b'pmview', b'pst0', b'push', b'qktk', b'qktn', b'qoif', b'qpress10', b'qv4cdata', b'rdqx', b'reMarkable', b'regf', b'sTaC', b'sim65', b'snoop', b'spec', b'sqsh', b'ssh-dss ', b'ssh-ed25519', b'ssh-rsa ', b'submsc', b'tfMR', b'tree ', b'true', b'ttcf', b'typ1', b'vdex', b'vhdxfile', b'wOF2', b'wOFF', b'wdex', b'wsdl', b'wvpk', b'xFSdump0', b'xMovieSetter', b'xSceneEditor', b'xar!', b'xclbin2', b'xkm', b'xpa', b'xz', b'yx', b'yz', b'zPQ', b'zz', b'{VERSION ', b'{\\pwd', b'{\\rtf', b'{\\urtf', b'{title'),
    1: (b'(C) STEPANYUK', b'*NINTENDO-HVC*', b'GTH', b'MUGICIAN/SOFTEYES', b'PC Research, Inc', b'RDC-meg', b'SaR', b'Start/Stop parameter header:', b'Swath Data File:', b'WS', b'[licq]', b'mgs2 ', b'mkx', b'pmlogconf', b'policy_module('),
    2: (b'\r\n', b"           ML4D '92", b'---BEGIN PGP PRIVATE KEY BLOCK-', b'---BEGIN PGP PUBLIC KEY BLOCK-', b'-LH1-', b'-afx-', b'-ah', b'-lZ', b'-lh0-', b'-lh1-', b'-lh2-', b'-lh3-', b'-lh4-', b'-lh5-', b'-lh6-', b'-lh7-', b'-lh8-', b'-lh9-', b'-lha-', b'-lhb-', b'-lhc-', b'-lhd-', b'-lhe-', b'-lhx-', b'-lz2-', b'-lz3-', b'-lz4-', b'-lz5-', b'-lz7-', b'-lz8-', b'-lzs-', b'-pm0-', b'-pm1-', b'-pm2-', b'-pms-', b'-sw1-', b'ACROSS&DOWN', b'ADLIB-', b'CCSD3Z', b'EYWR', b'GARMIN ', b'GFA-BASIC3', b'ICE', b'IIXPR3', b'IIXPRa', b'LILO', b'MMXPR3', b'MMXPRa', b'NJPL1I', b'policy_module(', b'streamtyped', b'typedstream'),
    3: (b'\r\nVersion:Vivo', b'EXFAT', b'LH5', b'OctSqu', b'STL', b'WINIMAGE', b'pmieconf-pmie'),
    4: (b' A~', b'1.0 Fri Feb 3 09:55:56 MET 1995', b'BOBO', b'O', b'RED1', b'Standard ACE DB', b'Standard Jet DB', b'TABL', b'Tue Jan 22 14:32:44 MET 1991', b'ftyp', b'gtktalog', b'gtktalog ', b'idsc', b'innotek VirtualBox Disk Image', b'itch', b'mdat', b'moov', b'pckg', b'pgscriptver'),
    5: (b'-pc1-',),
    6: (b'%!FontType1', b'%!PS-AdobeFont-1.', b'%PS-AdobeFont-1.'),
    7: (b'**ACE**', b'18 !NTITLE'),
    8: (b'.FIT', b'CIMG', b'DEEP', b'DUCK', b'GSF-v', b'MAYAFOR4', b'MayaFOR4', b'OracleCFS', b'RB40', b'sdbf'),
    9: (b' !NTITLE\n REMARK', b'GERBILCLIP', b'GERBILDB', b'GERBILDOC', b'MGD77', b'PSUR', b'RABBITGRAPH'),
    10: (b'# This is a shell archive', b'BY SNK CORPORATION', b'MIT-MAGIC-COOKIE-1', b'PLEXON'),
    11: (b'MAJYO', b'MIT-MAGIC-COOKIE-1'),
    12: (b'BB02', b'DSD ', b'MIT-MAGIC-COOKIE-1', b'SNDH'),
    13: (b'DrawFile', b'MIT-MAGIC-COOKIE-1'),
    14: (b'MIT-MAGIC-COOKIE-1', b'YC'),
    15: (b'MIT-MAGIC-COOKIE-1',),
    16: (b'HP-UX', b'MIT-MAGIC-COOKIE-1', b'SEGA SEGAKATANA ', b'SEGA SEGASATURN ', b'SEGABOOTDISC    ', b'SEGADISCSYSTEM  '),
    17: (b'MIT-MAGIC-COOKIE-1', b'version=SPECjbb'),
    18: (b'MIT-MAGIC-COOKIE-1',),
    20: (b'45', b'GIMP', b'GPAT'),
    21: (b'BMOD2STM',),
    22: (b'!Scream!',),
    24: (b'FTCOMP', b'LVM2 001', b'LxD 203'),
    26: (b'sfArk',),
    28: (b'make config',),
    30: (b'collection.anki2',),
    32: (b'NXSB', b'ORCLCLRD', b'ORCLDISK'),
    36: (b'HP-UX', b'acsp'),
    38: (b'Spreadsheet',),
    39: (b'<gmr:Workbook',),
    43: (b'SFDU_LABEL',),
    44: (b'PTMF', b'SCRM'),
    48: (b'SymExe',),
    56: (b'USE LYNX TO DISSOLVE THIS FILE', b'hpux', b'linux', b'netbsd', b'sunos'),
    58: (b'SIDMON II - THE',),
    60: (b'BOOKMOBI', b'BVokBDIC', b'DATALSdb', b'DB99DBOS', b'DataPlkr', b'DataSprd', b'DataTlMl', b'DataTlPt', b'IM10', b'InfoINDB', b'InfoTlIf', b'JfDbJBas', b'JfDbJFil', b'Mdb1Mdb1', b'PNRdPPrs', b'PmDBPmDB', b'RINEX', b'SDocSilX', b'SM01SMem', b'SONG', b'TEXtREAd', b'TEXtTlDc', b'TdatTide', b'ToGoToGo', b'ToRaTRPW', b'dataTDBP', b'libr', b'ptch', b'vIMGView', b'zTXT'),
    65: (b'PNTGMPNT',),
    76: (b'SCRS',),
    79: (b'Tue Jan 22 14:32:44 MET 1991',),
    84: (b'SAS',),
    92: (b'PLOT%%84',),
    100: (b'HP-UX',),
    109: (b'MAP (',),
    120: (b'HP-UX',),
    128: (b'DICM',),
    139: (b'SCMD',),
    208: (b'MAP ',),
    230: (b'%!FontType1',),
    252: (b'Must have DOS version',),
    256: (b' SEGA', b'HEAD', b'IMA', b'IMA IKUNOUJYUKU', b'NCCH', b'NCSD', b'Picture Magic', b'SAMSUNG PICO', b'SEGA'),
    257: (b'ustar',),
    384: (b'LockStream',),
    395: (b'OS/2',),
    514: (b'HdrS',),
    536: (b'LVM2 001',),
    640: (b'EAGN', b'EAMG'),
    1008: (b'DECFILE11',),
    1024: (b'M7R0\nI',),
    1048: (b'LVM2 001',),
    1062: (b'MaDoKaN96',),
    1068: (b'RoR',),
    1080: (b'16CN', b'32CN', b'4CHN', b'6CHN', b'8CHN', b'CD81', b'FLT4', b'FLT8', b'M!K!', b'M.K.', b'OKTA'),
    1560: (b'LVM2 001',),
    2048: (b'PCD_IPI',),
    4076: (b'SWAPSPACE2',),
    4086: (b'SWAP-SPACE', b'SWAPSPACE2'),
    4098: (b'DOSFONT',),
    8172: (b'SWAPSPACE2',),
    8176: (b'TMR SEGA',),
    8182: (b'SWAP-SPACE', b'SWAPSPACE2'),
}
STARTS_ANY_CASE: dict[int, tuple[bytes, ...]] = {
    0: (b'# ipl generated from max file', b':-) origin', b'@database', b'begin:vcalendar', b'begin:vcard', b'begmf'),
    21: (b'!scream!',),
}
# The text pass, in libmagic's order; each test a tuple of lines (level, relative, offset,
# type, flags, range, relation, value, described, mime)
TEXT_TESTS: tuple[tuple[tuple, ...], ...] = (
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env runhaskell', True, ''),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env execlineb', True, 'text/x-execline'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/tcsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/nawk', True, 'text/x-nawk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/gawk', True, 'text/x-gawk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/bash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/fish', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env runghc', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Signature-Version: 1.0', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml', False, ''),
        (1, False, 20, 'search', '', 400, '=', b'\x10xmlns=', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'[\'"]http://www.w3.org/ns/ttml', True, 'application/ttml+xml'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/zsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/ash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /command/execlineb', True, 'text/x-execline'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/execlineb', True, 'text/x-execline'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env julia', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Manifest-Version: 1.0', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'#!/usr/bin/env nodejs', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bin/ae', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env bash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env fish', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/env zsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'#!/usr/bin/env node', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'[KDE Desktop Entry]', True, 'application/x-kdelnk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/tcsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/local/bash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'MainOrBonus = MAIN', True, ''),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/execlineb', True, 'text/x-execline'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#!/usr/bin/nodejs', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'# KDE Config File', True, 'application/x-kdelnk'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml version "', True, 'text/xml'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml version="', True, 'text/xml'),
        (1, False, 15, 'string', 't', 0, '>', b'\x00', True, ''),
        (2, False, 23, 'search', '', 1, '=', b'<xsl:stylesheet', True, ''),
        (2, False, 24, 'search', '', 1, '=', b'<xsl:stylesheet', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b"<?xml version='", True, 'text/xml'),
        (1, False, 15, 'string', 't', 0, '>', b'\x00', True, ''),
        (2, False, 23, 'search', '', 1, '=', b'<xsl:stylesheet', True, ''),
        (2, False, 24, 'search', '', 1, '=', b'<xsl:stylesheet', True, ''),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/tcsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/nawk', True, 'text/x-nawk'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#! /usr/bin/gawk', True, 'text/x-gawk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/bash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/fish', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml version="', False, ''),
        (1, False, 19, 'search', 'Wctb', 4096, '=', b'<!doctype html', True, ''),
        (2, False, 15, 'string', '', 0, '>', b'\x00', True, 'text/html'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b"<?xml version='", False, ''),
        (1, False, 19, 'search', 'Wctb', 4096, '=', b'<!doctype html', True, ''),
        (2, False, 15, 'string', '', 0, '>', b'\x00', True, 'text/html'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml version="', False, ''),
        (1, False, 19, 'search', 'Wctb', 4096, '=', b'<html', True, ''),
        (2, False, 15, 'string', '', 0, '>', b'\x00', True, 'text/html'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/zsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/ash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /usr/bin/awk', True, 'text/x-awk'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#!/usr/bin/node', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Content-Type: ', False, ''),
        (1, False, 14, 'string', '', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml version=', False, ''),
        (1, False, 14, 'regex', '', 0, '=', b'[\'" \t]*[0-9.]+[\'" \t]*', False, ''),
        (2, False, 19, 'search', '', 4096, '=', b'<urlset', True, 'application/xml-sitemap'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Relay-Version:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 'Wct', 0, '=', b'<!doctype html', True, 'text/html'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Content-Type:', False, ''),
        (1, False, 13, 'string', '', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'GIMP Gradient', True, 'text/x-gimp-ggr'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'[BitmapInfo2]', True, 'image/x-polar-monitor-bitmap'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#!/bin/nodejs', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 'ct', 0, '=', b'delivered-to:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'MIME-Version:', True, ''),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/tcsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/nawk', True, 'text/x-nawk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/gawk', True, 'text/x-gawk'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/bash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'GIMP Palette', True, 'text/x-gimp-gpl'),
    ),
    (
        (0, False, 0, 'string', 'ct', 0, '=', b'return-path:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'/1 :pserver:', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'//Maya ASCII', True, ''),
        (1, False, 13, 'string', '', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/csh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/ksh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/zsh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/ash', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/awk', True, 'text/x-awk'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#!/bin/node', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'\nmsgid', False, ''),
        (1, True, 0, 'search', '', 1024, '=', b'\nmsgstr', True, 'text/x-po'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/sh', True, 'text/x-shellscript'),
    ),
    (
        (0, False, 0, 'string', 'wtf', 0, '=', b'#! /bin/rc', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'[MapFiles]', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Forward to', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'--- ', False, ''),
        (1, True, 0, 'search', '', 1024, '=', b'\n', False, ''),
        (2, True, 0, 'search', '', 1, '=', b'+++ ', False, ''),
        (3, True, 0, 'search', '', 1024, '=', b'\n', False, ''),
        (4, True, 0, 'search', '', 1, '=', b'@@', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'N#! rnews', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Received:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^export (function|class|default|const|var|let|async) ', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'#! rnews', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'P1', False, ''),
        (1, False, 2, 'regex', '', 2, '=', b'[ \t\x0c\r\n]', False, ''),
        (2, False, 3, 'string', '', 0, '!', b'000000000', False, ''),
        (3, False, 0, 'type46', '', 0, '=', b'netpbm', False, ''),
        (3, False, 0, 'string', '', 0, 'x', b'', True, 'image/x-portable-bitmap'),
        (3, False, 3, 'type1', '', 0, '=', b'', False, ''),
        (4, False, 4, 'string', '', 0, 'x', b'', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'P2', False, ''),
        (1, False, 0, 'regex', '', 4, '=', b'P2[ \t\x0c\r\n]', False, ''),
        (2, False, 0, 'type46', '', 0, '=', b'netpbm', False, ''),
        (2, False, 0, 'string', '', 0, 'x', b'', True, 'image/x-portable-graymap'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'P3', False, ''),
        (1, False, 0, 'regex', '', 4, '=', b'P3[ \t\x0c\r\n]', False, ''),
        (2, False, 0, 'type46', '', 0, '=', b'netpbm', False, ''),
        (2, False, 0, 'string', '', 0, 'x', b'', True, 'image/x-portable-pixmap'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'.class ', False, ''),
        (1, True, 0, 'regex', '', 512, '=', b'^\\.super L.*;$', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'# Magic', True, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Pipe to', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Article', True, 'message/news'),
    ),
    (
        (0, False, 0, 'search', '', 256, '=', b'%PDF-', True, 'application/pdf'),
        (1, True, 0, 'type1', '', 0, 'x', b'', True, ''),
        (1, True, 2, 'type1', '', 0, 'x', b'', True, ''),
        (1, False, 0, 'type46', '', 0, '=', b'pdf', False, ''),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'WEBVTT', False, ''),
        (1, True, 0, 'regex', '', 255, '=', b'[0-9]{2}:[0-9]{2}\\.[0-9]{3} -->', True, 'text/vtt'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'# xmcd', True, 'text/x-xmcd'),
    ),
    (
        (0, False, 0, 'string', 'ct', 0, '=', b'<html>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^(const|var|let).*=.*require\\(', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', '', 128, '=', b'__BUNDLE_START_TIME__=', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^(import|export).* from ', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'<?xml', False, ''),
        (1, False, 20, 'search', '', 400, '=', b' xmlns=', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'[\'"]http://earth.google.com/kml', True, 'application/vnd.google-earth.kml+xml'),
        (3, True, 1, 'string', '', 0, '=', b"2.0'", True, ''),
        (3, True, 1, 'string', '', 0, '=', b"2.1'", True, ''),
        (3, True, 1, 'string', '', 0, '=', b"2.2'", True, ''),
        (2, True, 0, 'regex', '', 0, '=', b'[\'"]http://www.opengis.net/kml', True, 'application/vnd.google-earth.kml+xml'),
        (3, True, 1, 'string', 't', 0, '=', b'2.2', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'module(\\.|\\[["\'])exports.*=', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Path:', True, 'message/news'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Xref:', True, 'message/news'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'From:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'Date:', True, 'message/rfc822'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*(class|module)[[:space:]][A-Z]', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'(modul|includ)e [A-Z]|def [a-z]', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'^[[:space:]]*end([[:space:]]+[;#].*)?$', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^(import|export) ["\']\\./', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'\\((async )?function[( ]', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'package', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^package[ \t]+[0-9A-Za-z_:]+ *;', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '!', b'p', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^package[ \t]+[0-9A-Za-z_:]+ *;', False, ''),
        (2, False, 0, 'regex', '', 0, '=', b'^1 *;|^(use|sub|my) .*[(;{=]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 0, '=', b'"use strict"', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', '', 0, '=', b"'use strict'", True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'using', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^using[[:space:]]+(namespace )?std(::)?[[:alpha:]]*[[:space:]]*;', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', '', 256, '=', b'==', False, ''),
        (1, True, 0, 'regex', '', 256, '=', b'^[=]+$', False, ''),
        (2, True, 0, 'search', '', 512, '=', b':Author:', True, ''),
        (2, True, 0, 'type3', '', 0, 'x', b'', False, ''),
        (3, True, 0, 'regex', '', 512, '=', b'^\\.\\.[A-Za-z]', True, ''),
    ),
    (
        (0, False, 0, 'string', 'ct', 0, '=', b'<!--', False, ''),
        (1, True, 0, 'search', 'Wct', 4096, '=', b'<!doctype html', True, 'text/html'),
        (1, True, 0, 'search', 'ct', 4096, '=', b'<html>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'namespace', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^namespace[[:space:]]+[_[:alpha:]]{1,30}[[:space:]]*\\{', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'protected', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*protected:', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'<?php', True, 'text/x-php'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'template', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*template[[:space:]]*<.*>[[:space:]]*$', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^require\\(["\']', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'typeof.*[!=]==', True, 'application/javascript'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/python', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'virtual', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*virtual[[:space:]]+.*[};][[:space:]]*$', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'private', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*private:', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'require', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b"^[[:space:]]*require[[:space:]]'[A-Za-z_/.]+'", False, ''),
        (2, False, 0, 'regex', '', 0, '=', b'def [a-z]| do$', False, ''),
        (3, True, 0, 'regex', '', 0, '=', b'^[[:space:]]*end([[:space:]]+[;#].*)?$', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'public', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*public:', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'search', 'w', 10, '=', b'#! /usr/bin/env python', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/ruby', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#! /usr/bin/env ruby', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setuppagenumbering[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#!/usr/bin/env ruby', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'#import', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^#import[[:space:]]+["<]', True, 'text/x-objective-c'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/python', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupinteraction[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupfootertexts[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 512, '=', b'\n\n// ===BEGIN ICANN DOMAINS===\n\n', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\documentstyle', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupwhitespace[', True, ''),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/php', True, 'text/x-php'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b"eval '(exit $?0)' && eval 'exec", True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/ruby', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'% BibTeX standard bibliography ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setuppapersize[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupindenting[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Decode the following with bdeco', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'eval "exec /usr/local/bin/perl', True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b"eval 'exec /usr/local/bin/perl", True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'"""', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*(class|module)[[:space:]][A-Z]', False, ''),
        (1, True, 0, 'regex', '', 0, '=', b'^[[:space:]]*end([[:space:]]+[;#if].*)?$', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupbodyfont[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\documentclass', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupitemize[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 80, '=', b'.la - a libtool library file', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'def __init__', False, ''),
        (1, True, 0, 'search', '', 64, '=', b'self', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'The Resource Compiler for Qt', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'-----BEGIN CERTIFICATE------', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\contentsline', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupcolors[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\definecolor[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setuplayout[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setupfooter[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 80, '=', b'.lo - a libtool object file', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'if __name__', False, ''),
        (1, True, 0, 'search', '', 64, '=', b"'__main__'", True, ''),
        (1, True, 0, 'search', '', 64, '=', b'"__main__"', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'# Netscape HTTP Cookie File', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'class', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^class [_[:alpha:]]+(\\(.*\\))?( )*:([ \t]+pass)?$', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:pcb-rnd-subcircuit-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'-----BEGIN NEW CERTIFICATE', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\section', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\chapter', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setuphead[', True, ''),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/php', True, 'text/x-php'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:pcb-rnd-drc-query-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:pcb-rnd-view-list-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wct', 1, '=', b'<?xml', True, 'text/xml'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\setlength', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'class', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*class[[:space:]]+[[:digit:][:alpha:]:_]+[[:space:]]*\\{(.*[\n]*)*\\}(;)?$', True, 'text/x-c++'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^:[[:space:]].*[[:space:]]\\(([[:space:]].*)? -- (.*[[:space:]])?\\)[[:space:]].*[[:space:]];$', True, 'text/x-forth'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'AC_DEFUN', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^AC_DEFUN\\(\\[', True, 'text/x-m4'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'eval "exec /usr/bin/perl', True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b"eval 'exec /usr/bin/perl", True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'try:', False, ''),
        (1, True, 0, 'regex', '', 0, '=', b'^[[:space:]]*except.*:$', True, 'text/x-script.python'),
        (1, True, 0, 'search', '', 4096, '=', b'finally:', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'def ', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]{0,50}def {1,50}[_a-zA-Z]{1,100}', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'\\(([[:alpha:]*_, ]){0,255}\\):$', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:coraleda-project-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:ringdove-project-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:pcb-rnd-padstack-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 73, 'search', '', 1, '=', b'%%%  @BibTeX-style-file{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Common subdirectories: ', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<script>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<script ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<a href=', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\useURL[', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'#include', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^#include', True, ''),
        (2, False, 0, 'regex', '', 0, '=', b'^class[[:space:]]+', False, ''),
        (3, True, 0, 'regex', '', 0, '=', b'\\{[.*]\\}(;)?$', True, ''),
        (2, True, 0, 'type47', '', 0, 'x', b'', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'/dts-v1/', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(custom-set-variables ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'regex', 'l', 100, '=', b'^(CFLAGS|VPATH|LDFLAGS|all:|\\.PRECIOUS)', True, 'text/x-makefile'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'import', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^from[ \t]+([A-Za-z0-9_]|\\.)+[ \t]+import.*$', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:rnd-menu-patch-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:pcb-rnd-buffer-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<title>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<title ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<style>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<style ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<table>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<table ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/wish', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/lua', True, 'text/x-lua'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:pcb-rnd-board-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:cschem-buffer-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<head>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<head ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<html>', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<html ', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/local/bin/tcl', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\input', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\begin', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\relax', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'$!', True, ''),
    ),
    (
        (0, False, 49, 'search', '', 70, '=', b'Kernel Configuration', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'eval "exec /bin/perl', True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b"eval 'exec /bin/perl", True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:pcb-rnd-conf-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:pcb-rnd-font-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:sch-rnd-conf-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:cschem-group-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:cschem-sheet-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#! /usr/bin/env wish', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#! /usr/bin/env lua', True, 'text/x-lua'),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:pcb-rnd-log-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'def ', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*def [a-z]|def [[:alpha:]]+::[a-z]', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'^[[:space:]]*end([[:space:]]+[;#].*)?$', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', 'Wct', 4096, '=', b'<!doctype html', True, 'text/html'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#! /usr/bin/env tcl', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#!/usr/bin/env wish', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\begin{theglossary}', True, ''),
    ),
    (
        (0, False, 0, 'search', 't', 1, '=', b'FiLeStArTfIlEsTaRt', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wtf', 1, '=', b'#! /usr/bin/texlua', True, 'text/x-luatex'),
    ),
    (
        (0, False, 0, 'search', 'wtf', 1, '=', b'#! /usr/bin/luatex', True, 'text/x-luatex'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#!/usr/bin/env lua', True, 'text/x-lua'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'# HTTP Cookie File', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#!/usr/bin/env tcl', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 0, '=', b'##fileformat=VCFv', True, ''),
        (1, True, 0, 'string', '', 0, 'x', b'', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wtf', 1, '=', b'#! /usr/bin/tclsh', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'[[:space:]]\\(([[:space:]].*)? -- (.*[[:space:]])?\\)', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^:[[:space:]]', False, ''),
        (2, False, 0, 'regex', '', 0, '=', b'^;$', True, 'text/x-forth'),
    ),
    (
        (0, False, 0, 'search', '', 100, '=', b'generated by flex', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'li:view-list-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:std_devmap.v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'# KDE Cookie File', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'This is METAFONT,', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'This is Info file', True, 'text/x-info'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'This is makeindex', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wtf', 1, '=', b'#! /usr/bin/stap', True, 'text/x-systemtap'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'<MakerDictionary', True, 'application/x-mif'),
        (1, False, 17, 'string', '', 0, '=', b'3.0', True, ''),
        (1, False, 17, 'string', '', 0, '=', b'2.0', True, ''),
        (1, False, 17, 'string', '', 0, '=', b'1.0', True, ''),
    ),
    (
        (0, False, 1, 'search', '', 100, '=', b'InternetShortcut', True, 'application/x-mswinurl'),
        (1, False, 17, 'search', '', 100, '=', b'URL=', True, ''),
        (2, True, 0, 'string', '', 0, 'x', b'', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 128, '=', b'ha:rnd-menu-v[0-9]+[ \t\r\n]*[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/wish', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\begin{theindex}', True, ''),
    ),
    (
        (0, False, 0, 'search', 'C', 27, '=', b'Start Component', True, 'text/x-dmtf-mif'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/lua', True, 'text/x-lua'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b'eval "exec perl', True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 1024, '=', b"eval 'exec perl", True, 'text/x-perl'),
    ),
    (
        (0, False, 0, 'search', '', 0, '=', b'Netlist(Freeze)', True, ''),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'#! /usr/bin/tcl', True, 'text/x-tcl'),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@inproceedings{', True, ''),
    ),
    (
        (0, False, 0, 'search', 'Wc', 100, '=', b'constant story', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 20, '=', b'^1[\r\n]+0[01]:[0-9]{2}:[0-9]{2},[0-9]{3} -->', True, 'application/x-subrip'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'\\input texinfo', True, 'text/x-texinfo'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\glossaryentry', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@incollection{', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^%?[ \t]*SiSU[ \t]+insert', True, ''),
        (1, False, 5, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^%[ \t]+SiSU[ \t]+master', True, ''),
        (1, False, 5, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'% -*-latex-*-', True, 'text/x-tex'),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@unpublished{', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 4006, '=', b'^PROC[[:space:]][a-zA-Z0-9_[:space:]]*[[:space:]]=', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b"'From Squeak", True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1602, '=', b'(This file ', False, ''),
        (1, True, 0, 'type46', '', 0, '=', b'binhex', False, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 100, '=', b'^\\.(BEGIN|endif|include)', True, 'text/x-makefile'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'package req', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^package[ \t]+req', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'This is TeX,', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@techreport{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'@c @mapfile{', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 1024, '=', b'\x08REF[\t ]', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[!-?A-~]{1,255}(\t[^\t]+){11}', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){1}[0-9]{1,5}\t', False, ''),
        (2, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){2}\\*|[^*=]*\t', False, ''),
        (3, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){3}[0-9]{1,9}\t', False, ''),
        (4, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){4}[0-9]{1,3}\t', False, ''),
        (5, False, 0, 'regex', '', 0, '=', b'\t(\\*|([0-9]+[MIDNSHPX=])+)\t', False, ''),
        (6, False, 0, 'regex', '', 0, '=', b'\t(\\*|=|[!-()+->?-~][!-~]*)\t', False, ''),
        (7, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){7}[0-9]{1,9}\t', False, ''),
        (8, False, 0, 'regex', '', 0, '=', b'\t[+-]{0,1}[0-9]{1,9}\t.*\t', False, ''),
        (9, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){9}(\\*|[A-Za-z=.]+)\t', False, ''),
        (10, False, 0, 'regex', '', 0, '=', b'^([^\t]+\t){10}[!-~]+', True, ''),
        (11, False, 0, 'regex', '', 0, '=', b'^[@]HD\t.*VN:', True, ''),
        (12, True, 0, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'endif', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^#[[:space:]]*(if|ifn)def', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'^#[[:space:]]*endif$', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'float', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*float( \\*|\\*)(.+)(=.*)?;[[:space:]]*$', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'union', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^union[[:space:]]+', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'main(', False, ''),
        (1, True, 0, 'search', '', 64, '=', b'String', True, 'text/x-java'),
        (1, True, 0, 'type3', '', 0, 'x', b'', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'\\)[[:space:]]*\\{', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 512, '=', b'EAPI=', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'.*\n[ \t]*EAPI=["\']?', True, ''),
        (2, True, 0, 'regex', '', 0, '=', b'[[:alnum:]+_.-]+', True, 'application/vnd.gentoo.ebuild'),
    ),
    (
        (0, False, 0, 'string', 't', 0, '=', b'@', False, ''),
        (1, False, 1, 'string', 'Wc', 0, '=', b' echo off', True, 'text/x-msdos-batch'),
        (1, False, 1, 'string', 'Wc', 0, '=', b'echo off', True, 'text/x-msdos-batch'),
        (1, False, 1, 'string', 'Wc', 0, '=', b'rem', True, 'text/x-msdos-batch'),
        (1, False, 1, 'string', 'Wc', 0, '=', b'set ', True, 'text/x-msdos-batch'),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'\n=encoding ', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^%?[ \t]*SiSU[ \t]+text', True, ''),
        (1, False, 5, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 0, '=', b'..OMR', False, ''),
        (1, False, 0, 'search', '', 0, '=', b'..TRANSPAR', False, ''),
        (2, False, 0, 'search', '', 0, '=', b'.HODE', True, ''),
        (3, True, 0, 'search', '', 0, '=', b'..SOSI-VERSJON', False, ''),
        (4, True, 1, 'string', '', 0, 'x', b'', True, 'text/vnd.sosi'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'\\indexentry', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@phdthesis{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'xbtoa Begin', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^(:|;)', False, ''),
        (1, False, 0, 'search', '', 45, '=', b':Base', False, ''),
        (2, True, 0, 'type46', '', 0, '=', b'cnt-name', False, ''),
        (1, False, 0, 'search', '', 45, '=', b':Base', False, ''),
        (1, False, 0, 'type3', '', 0, 'x', b'', False, ''),
        (2, False, 0, 'search', '', 45, '=', b':Title', False, ''),
        (3, True, 0, 'type46', '', 0, '=', b'cnt-name', False, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'[playlist]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'!_TAG', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'diff ', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'STARTFONT ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 100, '=', b'yyprevious', True, ''),
        (1, False, 3, 'search', '', 1, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'%{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(defparam ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(autoload ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'dnl', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^dnl ', True, 'text/x-m4'),
    ),
    (
        (0, False, 100, 'search', '', 65535, '=', b'rxfuncadd', False, ''),
        (1, False, 100, 'regex', 'c', 0, '=', b'^[ \t]{0,10}call[ \t]{1,10}rxfunc', True, ''),
    ),
    (
        (0, False, 100, 'search', '', 65535, '=', b'say', False, ''),
        (1, False, 100, 'regex', 'c', 0, '=', b'^[ \t]{0,10}say [\'"]', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'=pod\n', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'=encoding ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'SQ BITMAP1', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@preamble{', True, ''),
    ),
    (
        (0, False, 73, 'search', '', 1, '=', b'%%%  ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'% BibTeX `', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'\\"', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'-h-', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'char', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*char( \\*|\\*)(.+)(=.*)?;[[:space:]]*$', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'<?\n', True, 'text/x-php'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'<?\r', True, 'text/x-php'),
    ),
    (
        (0, False, 0, 'search', '', 64, '=', b'--TEST--', False, ''),
        (1, False, 16, 'search', '', 64, '=', b'--FILE--', False, ''),
        (1, False, 24, 'search', '', 8192, '=', b'--EXPECT', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'*** ', False, ''),
        (1, True, 0, 'search', '', 1024, '=', b'\n--- ', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'search', '', 512, '=', b'@ECLASS: ', True, ''),
        (1, True, 0, 'string', '', 0, 'x', b'', True, 'application/vnd.gentoo.eclass'),
    ),
    (
        (0, False, 0, 'search', 'st', 1, '=', b'#FIG', False, ''),
        (1, True, 0, 'type46', '', 0, '=', b'image-xfig', False, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'<TeXmacs|', True, 'text/texmacs'),
    ),
    (
        (0, False, 0, 'search', '', 65535, '=', b'\r\n@title', False, ''),
        (1, True, 0, 'search', '', 65535, '=', b'\r\n@m=[', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<!doctype', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@article{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'.\\"', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'\'\\"', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'regex', 'l', 20, '=', b'^\\.[A-Za-z][A-Za-z0-9]$', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'x T', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'cat', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'ps', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'dvi', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'ascii', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'lj4', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'latin1', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'X75', True, ''),
        (2, False, 7, 'search', '', 1, '=', b'-12', True, ''),
        (1, False, 4, 'search', '', 1, '=', b'X100', True, ''),
        (2, False, 8, 'search', '', 1, '=', b'-12', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 1024, '=', b'^begin [0-7]{3} ', False, ''),
        (1, True, 0, 'regex', '', 256, '=', b'[\n\r]+M[ -`]{60}[\n\r]+', True, ''),
        (1, True, 0, 'regex', '', 256, '=', b'[\n\r]+h[0-9A-Za-z+-]{60}[\n\r]+', True, ''),
        (1, True, 0, 'type3', '', 0, 'x', b'', True, ''),
        (1, True, 0, 'string', '', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 2048, '=', b'#define ', False, ''),
        (1, True, 0, 'regex', '', 0, '=', b'[a-zA-Z0-9]+_width ', True, ''),
        (2, True, 0, 'regex', '', 0, '=', b'[0-9]+', True, ''),
        (3, True, 0, 'string', '', 0, '=', b'\n#define ', False, ''),
        (4, True, 0, 'regex', '', 0, '=', b'[a-zA-Z0-9]+_height ', False, ''),
        (5, True, 0, 'regex', '', 0, '=', b'[0-9]+', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'(input,', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 1024, '=', b'\x08FLEX[\t ]*\\[', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.asciiz', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'"libhdr"', True, 'text/x-bcpl'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'"LIBHDR"', True, 'text/x-bcpl'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^\\(ns[[:space:]]+\\^\\{:', True, 'text/x-clojure'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^\\(defn-?[[:space:]]', True, 'text/x-clojure'),
    ),
    (
        (0, False, 0, 'regex', '', 4096, '=', b'^[ \t\x0c\r\n]{0,100}BEGIN[ \t\x0c\r\n]{0,100}[{]', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Only in ', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'FONT', True, ''),
    ),
    (
        (0, False, 8, 'search', '', 1, '=', b' A _text', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(defvar ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'%%!!', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'\n=head1 ', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'\n=head2 ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'require', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b"^[[:space:]]*require[[:space:]]'[A-Za-z_/.]+'", True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'include', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*include ([A-Z]+[a-z]*(::))+', True, 'text/x-ruby'),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<!subdoc', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^%?[ \t]*SiSU[ \t][0-9.]+', True, ''),
        (1, False, 5, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^%*[ \t]*sisu-[0-9.]+', True, ''),
        (1, False, 5, 'regex', '', 0, '=', b'[0-9.]+', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'##Sketch', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^MAX=[0-9]+,[0-9]+$', False, ''),
        (1, False, 1, 'regex', '', 0, '=', b'^BEG=[0-9]+,[0-9]+$', False, ''),
        (1, False, 2, 'regex', '', 0, '=', b'^SCROLL=[0-9]+,[0-9]+$', False, ''),
        (1, False, 3, 'regex', '', 0, '=', b'^VMIN=[0-9]+$', False, ''),
        (1, False, 4, 'regex', '', 0, '=', b'^VTIME=[0-9]+$', False, ''),
        (1, False, 5, 'regex', '', 0, '=', b'^FLAGS=0x[[:xdigit:]]+$', False, ''),
        (1, False, 6, 'regex', '', 0, '=', b'^FG=[0-9],[0-9]+$', False, ''),
        (1, False, 7, 'regex', '', 0, '=', b'^BG=[0-9]+,[0-9]+,', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'\\ifx', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@inbook{', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@manual{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'\'.\\"', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'regex', 'l', 20, '=', b'^\\.[A-Za-z][A-Za-z0-9][ \t]', True, 'text/troff'),
    ),
    (
        (0, False, 0, 'regex', '', 1024, '=', b'\x08MODE[\t ]', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 1024, '=', b'\x08MODE[\t ]', False, ''),
        (1, False, 0, 'type46', '', 0, '=', b'algol_68', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.globl', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'#EXTM3U', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'pragma', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^#[[:space:]]*pragma', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'define', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^#[[:space:]]*(if|ifn)def', False, ''),
        (2, True, 0, 'regex', '', 0, '=', b'^#[[:space:]]*define', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'double', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*double( \\*|\\*)(.+)(=.*)?;[[:space:]]*$', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'extern', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^[[:space:]]*extern[[:space:]]+', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'struct', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^struct[[:space:]]+', True, 'text/x-c'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'\\(;.*GM\\[[0-9]{1,2}\\]', True, ''),
        (1, False, 2, 'search', 'b', 512, '=', b'GM[', False, ''),
        (2, True, 0, 'string', '', 0, '=', b'1]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'2]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'3]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'4]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'5]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'6]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'7]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'8]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'9]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'10]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'11]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'12]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'13]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'14]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'15]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'16]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'17]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'18]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'19]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'20]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'21]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'22]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'23]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'24]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'25]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'26]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'27]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'28]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'29]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'30]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'31]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'32]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'33]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'34]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'35]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'36]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'37]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'38]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'39]', True, ''),
        (2, True, 0, 'string', '', 0, '=', b'40]', True, ''),
    ),
    (
        (0, False, 2, 'regex', 'c', 0, '=', b'\\(;.*GM\\[[0-9]{1,2}\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[1\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[6\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[11\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[18\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[19\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[20\\]', True, ''),
        (1, False, 2, 'regex', 'c', 0, '=', b'GM\\[21\\]', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^import.*;$', True, 'text/x-java'),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(defun ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'import', False, ''),
        (1, True, 0, 'search', '', 64, '=', b'os', False, ''),
        (2, True, 0, 'type46', '', 0, '=', b'nim1', False, ''),
        (1, True, 0, 'type3', '', 0, 'x', b'', False, ''),
        (2, True, 0, 'search', '', 64, '=', b'osproc', False, ''),
        (3, True, 0, 'type46', '', 0, '=', b'nim1', False, ''),
        (2, True, 0, 'type3', '', 0, 'x', b'', False, ''),
        (3, True, 0, 'search', '', 64, '=', b'strutils', False, ''),
        (4, True, 0, 'type46', '', 0, '=', b'nim1', False, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'(input,', True, 'text/x-pascal'),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'=head1 ', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'=head2 ', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 8192, '=', b'import', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^import [_[:alpha:]]+ as [[:alpha:]][[:space:]]*$', True, 'text/x-script.python'),
    ),
    (
        (0, False, 0, 'regex', 'l', 1, '=', b'tEDAx[ \t\r\n]v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin symbol v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin board v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin route_req v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin route_res v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin camv_layer v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin netlist v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin backann v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin footprint v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin drc v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin drc_query_rule v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin drc_query_def v', True, ''),
        (1, False, 0, 'regex', '', 0, '=', b'begin etest v', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 78, '=', b'CLASS ', False, ''),
        (1, True, 0, 'string', '', 0, '=', b'MACHINE', False, ''),
        (2, False, 0, 'type46', '', 0, '=', b'windows-adm', False, ''),
        (1, True, 0, 'string', '', 0, '=', b'USER', False, ''),
        (2, False, 0, 'type46', '', 0, '=', b'windows-adm', False, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.byte', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.even', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.text', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.file', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^[ \t]{0,50}\\.type', True, 'text/x-asm'),
    ),
    (
        (0, False, 0, 'search', 'w', 1, '=', b'# xmcd', True, ''),
    ),
    (
        (0, False, 0, 'regex', '', 0, '=', b'^\\(ns[[:space:]]+[a-z]', True, 'text/x-clojure'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Index:', True, 'text/x-diff'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Begin3', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'Begin4', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 4096, '=', b'(setq ', True, 'text/x-lisp'),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'//!Mup', True, ''),
        (1, False, 6, 'string', '', 0, '=', b'-Arkkra', True, ''),
        (2, False, 13, 'string', '', 0, '=', b'-', False, ''),
        (3, False, 16, 'string', '', 0, '=', b'.', False, ''),
        (4, False, 14, 'string', '', 0, 'x', b'', True, ''),
        (3, False, 15, 'string', '', 0, '=', b'.', False, ''),
        (4, False, 14, 'string', '', 0, 'x', b'', True, ''),
        (1, False, 6, 'string', '', 0, '=', b'-', False, ''),
        (2, False, 9, 'string', '', 0, '=', b'.', False, ''),
        (3, False, 7, 'string', '', 0, 'x', b'', True, ''),
        (2, False, 8, 'string', '', 0, '=', b'.', False, ''),
        (3, False, 7, 'string', '', 0, 'x', b'', True, ''),
    ),
    (
        (0, False, 0, 'search', 'W', 1024, '=', b'\n=pod\n', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'0 HEAD', True, ''),
        (1, True, 0, 'search', '', 0, '=', b'1 GEDC', False, ''),
        (2, True, 0, 'search', '', 0, '=', b'2 VERS', True, ''),
        (3, True, 1, 'string', '', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@book{', True, ''),
    ),
    (
        (0, False, 0, 'search', 'c', 1, '=', b'@misc{', True, ''),
    ),
    (
        (0, False, 0, 'search', '', 1, '=', b'$\nship', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wt', 1, '=', b'<?XML', True, 'text/xml'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#! /usr/bin/env', True, ''),
        (1, False, 15, 'string', 'T', 0, '>', b'\x00', True, ''),
    ),
    (
        (0, False, 0, 'search', 'wct', 4096, '=', b'<!--', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 100, '=', b'^SUBDIRS[[:space:]]+=', True, 'text/x-makefile'),
    ),
    (
        (0, False, 0, 'string', 'wt', 0, '=', b'#! ', True, ''),
        (1, True, 1, 'other', 'T', 0, 'x', b'', True, ''),
    ),
    (
        (0, False, 0, 'regex', 'l', 100, '!', b'^[^Cc \t].*$', False, ''),
        (1, False, 0, 'regex', 'l', 100, '=', b'^[Cc][ \t]', True, 'text/x-fortran'),
    ),
    (
        (0, False, 0, 'search', '', 1, '!', b'p', False, ''),
        (1, False, 0, 'regex', '', 0, '=', b'^package[ \t]+req', True, ''),
    ),
)
