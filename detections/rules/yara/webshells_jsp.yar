/*
  JSP web shells on the Java application servers (Tomcat, WebLogic, JBoss) behind the portals.
*/

rule SOC_Webshell_JSP_Exec_Request : webshell jsp
{
    meta:
        id = "95b8db00-1934-4ec6-b437-3180f6d272bf"
        description = "JSP runs an operating-system command taken from a request parameter"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $jsp = "<%" ascii
        $exec1 = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/ ascii
        $exec2 = /new\s+ProcessBuilder\s*\(/ ascii
        $param = /request\s*\.\s*getParameter\s*\(/ ascii
    condition:
        filesize < 2MB and $jsp and any of ($exec*) and $param
}

rule SOC_Webshell_JSP_Class_Loader : webshell jsp
{
    meta:
        id = "f1f0b306-26fa-469b-aaf2-a1b6fe2dbbfb"
        description = "JSP defines a class from bytes decoded out of the request (Behinder/Godzilla style)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003, T1620"
        tactic = "persistence"
    strings:
        $jsp = "<%" ascii
        $define = /\bdefineClass\s*\(/ ascii
        $loader = /extends\s+ClassLoader/ ascii
        $b64_1 = /Base64\s*\.\s*getDecoder\s*\(\s*\)\s*\.\s*decode/ ascii
        $b64_2 = "BASE64Decoder" ascii
        $req1 = /request\s*\.\s*getReader\s*\(/ ascii
        $req2 = /request\s*\.\s*getInputStream\s*\(/ ascii
        $req3 = /request\s*\.\s*getParameter\s*\(/ ascii
        $aes = "AES" ascii
    condition:
        filesize < 2MB and $jsp and $define and ($loader or $aes) and any of ($b64*) and any of ($req*)
}
