/*
  PHP web shells dropped on the e-government portals (upload folders, CMS plugin folders).
  Project rules (soc): meta id/level/attack are read by the platform; see detections/yara.
*/

rule SOC_Webshell_PHP_Eval_Request : webshell php
{
    meta:
        id = "3be4a75d-e590-4067-b81d-b6bfc3e4960e"
        description = "PHP code evaluated straight from request input (one-line web shell, China Chopper style)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $php = /<\?(php|=|\s)/ nocase ascii
        $eval = /\b(eval|assert|create_function)\s*\(\s*(@\s*)?(\$_(POST|GET|REQUEST|COOKIE|SERVER)\b|(base64_decode|str_rot13|gzinflate|stripslashes)\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)\b)/ nocase ascii
        $var_fn = /\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase ascii
    condition:
        filesize < 2MB and $php and ($eval or $var_fn)
}

rule SOC_Webshell_PHP_Exec_Request : webshell php
{
    meta:
        id = "3144c78a-8960-4283-adf8-fa3d53d65932"
        description = "PHP passes request input to an operating-system command"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "high"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $php = /<\?(php|=|\s)/ nocase ascii
        $exec = /\b(system|shell_exec|passthru|exec|popen|proc_open|pcntl_exec)\s*\(\s*(@\s*)?(\$_(POST|GET|REQUEST|COOKIE)\b|base64_decode\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)\b)/ nocase ascii
        $backtick = /`\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[/ ascii
    condition:
        filesize < 2MB and $php and ($exec or $backtick)
}

rule SOC_Webshell_PHP_Obfuscated_Loader : webshell php
{
    meta:
        id = "9f21479a-42a3-441f-92b7-1d131ee87950"
        description = "PHP evaluates decoded or decompressed data (packed web shell loader)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "high"
        attack = "T1505.003, T1027"
        tactic = "persistence"
    strings:
        $php = /<\?(php|=|\s)/ nocase ascii
        $eval_decode = /\beval\s*\(\s*(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|hex2bin|strrev)\s*\(\s*(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|hex2bin|strrev|\$|'|")/ nocase ascii
        $preg_e = /\bpreg_replace\s*\(\s*['"][\/#|~!@%].{0,80}[\/#|~!@%][a-zA-Z]*e[a-zA-Z]*['"]\s*,/ ascii
    condition:
        filesize < 4MB and $php and ($eval_decode or $preg_e)
}

rule SOC_Webshell_PHP_Known_Kit : webshell php
{
    meta:
        id = "45b59130-b178-4a69-be10-a49b347f5df8"
        description = "Marker strings of widely used PHP web shell kits (WSO/FilesMan, b374k, c99, r57, Weevely)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1505.003"
        tactic = "persistence"
    strings:
        $php = /<\?(php|=|\s)/ nocase ascii
        $kit1 = "FilesMan" ascii
        $kit2 = "b374k" ascii nocase
        $kit3 = "c99shell" ascii nocase
        $kit4 = "r57shell" ascii nocase
        $kit5 = "$default_action = 'FilesMan'" ascii
        $kit6 = "WSOsetcookie" ascii
        $kit7 = /\$\w{1,20}\s*=\s*str_replace\(\s*['"]\w{1,10}['"]\s*,\s*['"]['"]\s*,\s*['"]c\w{0,10}r\w{0,10}e\w{0,10}a\w{0,10}t\w{0,10}e\w{0,10}_\w{0,10}f/ ascii
    condition:
        filesize < 4MB and $php and any of ($kit*)
}
