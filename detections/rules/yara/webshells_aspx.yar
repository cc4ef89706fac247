/*
  ASP.NET (ASPX/ASHX) web shells on IIS hosts of the data centre.
*/

rule SOC_Webshell_ASPX_Process_Request : webshell aspx
{
    meta:
        id = "c86c6d78-573d-4d4a-9d74-d2eddeec83e9"
        description = "ASP.NET page starts a process with arguments taken from the request"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $page1 = "<%@ Page" ascii nocase
        $page2 = "<%@ WebHandler" ascii nocase
        $page3 = "runat=\"server\"" ascii nocase
        $proc1 = "ProcessStartInfo" ascii
        $proc2 = "Process.Start" ascii
        $req = /Request\s*(\.\s*(Form|QueryString|Params|Item|Headers)\s*)?\[/ ascii
        $shell1 = "cmd.exe" ascii nocase
        $shell2 = "powershell" ascii nocase
        $shell3 = ".FileName" ascii
    condition:
        filesize < 2MB and any of ($page*) and any of ($proc*) and $req and any of ($shell*)
}

rule SOC_Webshell_ASPX_Eval_Request : webshell aspx
{
    meta:
        id = "20f3824f-5a46-40d3-8736-9ecf83b84d9e"
        description = "JScript.NET page evaluates request input (China Chopper ASPX form)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $page = "<%@" ascii
        $eval = /\beval\s*\(\s*Request(\s*\.\s*(Item|Form|QueryString|Params))?\s*[\[\(]/ nocase ascii
    condition:
        filesize < 1MB and $page and $eval
}

rule SOC_Webshell_ASPX_Assembly_Loader : webshell aspx
{
    meta:
        id = "7679cdb0-2db6-41e0-b206-616845cd3363"
        description = "ASP.NET page loads a .NET assembly sent in the request (in-memory shell loaders)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003, T1620"
        tactic = "persistence"
    strings:
        $page1 = "<%@" ascii
        $page2 = "runat=\"server\"" ascii nocase
        $load = /Assembly\s*\.\s*Load\s*\(/ ascii
        $in1 = "Request.BinaryRead" ascii
        $in2 = "Request.InputStream" ascii
        $in3 = /Convert\s*\.\s*FromBase64String\s*\(\s*Request/ ascii
        $crypt = "RijndaelManaged" ascii
    condition:
        filesize < 2MB and any of ($page*) and $load and (any of ($in*) or $crypt)
}
