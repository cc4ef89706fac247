/*
  Ransom notes dropped next to encrypted files (file servers, evidence images), in English and
  Vietnamese. A note says the files are encrypted, how to decrypt them, and how to pay or make
  contact; awareness bulletins quote the first two but carry no wallet, onion address or Tox id,
  which is what keeps them from matching.
*/

rule SOC_Ransom_Note_English : ransomware note
{
    meta:
        id = "9c6c4742-bd59-4d93-8bb1-f7c6ab3a78a9"
        description = "English ransom note: files encrypted, decryption offered, payment or contact channel"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1486"
        tactic = "impact"
    strings:
        $enc1 = /(your|all( of)? your|the)\s+(important\s+)?(files|documents|data|network|servers|computers)\s+(have been|has been|are|were)\s+(\w+\s+)?(encrypted|locked)/ nocase ascii wide
        $enc2 = "were encrypted by" nocase ascii wide
        $dec1 = "decrypt" nocase ascii wide
        $dec2 = "decryption key" nocase ascii wide
        $dec3 = "restore your files" nocase ascii wide
        $pay_btc = /(bitcoin|btc|wallet|v\xc3\xad)[^\n]{0,120}\n?[^\n]{0,40}\b(bc1[02-9ac-hj-np-z]{25,59}|[13][1-9A-HJ-NP-Za-km-z]{25,34})\b/ nocase ascii wide
        $onion = /[a-z2-7]{16}([a-z2-7]{40})?\.onion/ nocase ascii wide
        $tox = /\btox\s*(id|chat)\b/ nocase ascii wide
        $session = /\bsession\s*id\s*:\s*05[0-9a-f]{64}\b/ nocase ascii wide
    condition:
        filesize < 512KB and any of ($enc*) and any of ($dec*)
        and any of ($pay*, $onion, $tox, $session)
}

rule SOC_Ransom_Note_Vietnamese : ransomware note
{
    meta:
        id = "c4367d9a-f4cf-438e-9e5d-d8516d100c72"
        description = "Vietnamese ransom note (UTF-8 with or without diacritics, or UTF-16LE)"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "critical"
        attack = "T1486"
        tactic = "impact"
    strings:
        // "đã bị mã hóa" in both tone placements (hóa / hoá), then without diacritics
        $enc1 = "đã bị mã hóa" nocase
        $enc2 = "đã bị mã hoá" nocase
        $enc3 = "Đã bị mã hóa"
        $enc4 = "Đã bị mã hoá"
        $enc5 = /da\s+bi\s+ma\s+hoa/ nocase ascii wide
        $enc6 = { 11 01 E3 00 20 00 62 00 CB 1E 20 00 6D 00 E3 00 20 00 68 00 (F3 00 61 00 | 6F 00 E1 00) }
        // "giải mã" (decrypt), "khôi phục" (recover), "tiền chuộc" (ransom)
        $dec1 = "giải mã" nocase
        $dec2 = "Giải mã"
        $dec3 = "khôi phục" nocase
        $dec4 = /giai\s+ma\b/ nocase ascii wide
        $dec5 = "tiền chuộc" nocase
        $dec6 = { 67 00 69 00 A3 1E 69 00 20 00 6D 00 E3 00 }
        $pay_btc = /(bitcoin|btc|wallet|v\xc3\xad)[^\n]{0,120}\n?[^\n]{0,40}\b(bc1[02-9ac-hj-np-z]{25,59}|[13][1-9A-HJ-NP-Za-km-z]{25,34})\b/ nocase ascii wide
        $onion = /[a-z2-7]{16}([a-z2-7]{40})?\.onion/ nocase ascii wide
        $tox = /\btox\s*(id|chat)\b/ nocase ascii wide
        $telegram = /\btelegram\s*[:@]\s*@?\w{5,32}/ nocase ascii wide
    condition:
        filesize < 512KB and any of ($enc*) and any of ($dec*)
        and any of ($pay_btc, $onion, $tox, $telegram)
}

rule SOC_Ransom_Note_File_Name : ransomware note
{
    meta:
        id = "6d38d058-4a34-4fb2-8e22-e7f5017fb25b"
        description = "Small text file named like a ransom note that talks about decryption"
        author = "SOC Da Nang"
        date = "2026-11-23"
        level = "medium"
        attack = "T1486"
        tactic = "impact"
    strings:
        $dec1 = "decrypt" nocase ascii wide
        $dec2 = "giải mã" nocase
        $dec3 = /giai\s+ma\b/ nocase ascii wide
    condition:
        filesize < 64KB and any of them and (
            filename matches /^(how|help)[_\-. ]?(to[_\-. ]?)?(decrypt|restore|recover)/i or
            filename matches /^!+.{0,30}(readme|read_me|decrypt|restore).{0,30}!*\.(txt|html?|hta)$/i or
            filename matches /(decrypt|restore)[_\-. ]?(my|your|all)?[_\-. ]?files/i or
            filename matches /^huong[_\-. ]?dan[_\-. ]?(giai[_\-. ]?ma|khoi[_\-. ]?phuc)/i
        )
}
