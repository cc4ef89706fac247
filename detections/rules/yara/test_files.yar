/*
  Harmless test files used in drills to prove the scanning path end to end.
  The EICAR string is matched as two halves so no rule file contains it whole.
*/

rule SOC_Test_EICAR : test
{
    meta:
        id = "d33c231c-2c6f-4548-96e6-6b8c9c6c90f7"
        description = "EICAR anti-malware test file (drills and scanner self-test)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "low"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" ascii
        $tail = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*" ascii
    condition:
        filesize < 256 and $head at 0 and $tail at 33
}
