"""Code tables for 2nd-generation ID cards: sex (GB/T 2261.1), ethnicity (GB 3304), SDT status.

The chip stores codes, not words; these tables turn them into what the officer reads.
"""

from __future__ import annotations

SEX = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# GB 3304-1991 names of ethnic groups of China, with the two codes used for others.
ETHNICITY = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族", "06": "苗族",
    "07": "彝族", "08": "壮族", "09": "布依族", "10": "朝鲜族", "11": "满族", "12": "侗族",
    "13": "瑶族", "14": "白族", "15": "土家族", "16": "哈尼族", "17": "哈萨克族", "18": "傣族",
    "19": "黎族", "20": "傈僳族", "21": "佤族", "22": "畲族", "23": "高山族", "24": "拉祜族",
    "25": "水族", "26": "东乡族", "27": "纳西族", "28": "景颇族", "29": "柯尔克孜族", "30": "土族",
    "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族", "35": "撒拉族", "36": "毛南族",
    "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族", "41": "塔吉克族", "42": "怒族",
    "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族", "46": "德昂族", "47": "保安族",
    "48": "裕固族", "49": "京族", "50": "塔塔尔族", "51": "独龙族", "52": "鄂伦春族", "53": "赫哲族",
    "54": "门巴族", "55": "珞巴族", "56": "基诺族", "97": "其他", "98": "外国血统中国籍人士",
}  # fmt: skip

# SDT API status codes (the SAM module's SW3 byte) -> (Chinese, English).
SDT_OK = 0x90
SDT_FOUND = 0x9F
SDT_STATUS = {
    0x90: ("操作成功", "OK"),
    0x91: ("身份证中此项无内容", "No content for this item on the card"),
    0x9F: ("找到身份证", "Card found"),
    0x01: ("读卡器端口打开失败，请检查读卡器连接", "Could not open the card-reader port; check the connection"),
    0x02: ("读卡器接收数据超时", "Timed out receiving data from the card reader"),
    0x03: ("读卡器数据传输错误", "Data transmission error"),
    0x05: ("读卡器串口不可用", "Card-reader serial port not available"),
    0x09: ("打开文件失败", "Could not open file"),
    0x10: ("读卡器数据校验和错误", "Checksum error"),
    0x11: ("读卡器数据长度错误", "Length error"),
    0x21: ("读卡器命令错误", "Command error"),
    0x23: ("越权操作", "Operation not permitted"),
    0x24: ("读卡器无法识别的错误", "Unrecognised error"),
    0x31: ("身份证认证安全模块失败", "Card failed to authenticate the SAM"),
    0x32: ("安全模块认证身份证失败，证件可能有问题", "SAM failed to authenticate the card"),
    0x33: ("信息验证错误", "Information verification error"),
    0x37: ("指纹信息验证错误", "Fingerprint information verification error"),
    0x3F: ("信息长度错误", "Information length error"),
    0x40: ("无法识别的证件类型", "Unrecognised card type"),
    0x41: ("读身份证失败，请不要移动证件", "Reading the card failed; keep the card still"),
    0x47: ("取随机数失败", "Could not get a random number"),
    0x60: ("安全模块自检失败", "SAM self-test failed"),
    0x66: ("安全模块未经授权，无法使用", "SAM not authorised"),
    0x80: ("请放卡：未找到身份证", "Place the card: no card found"),
    0x81: ("选卡失败，请重新放置身份证", "Could not select the card; place it again"),
}


def sdt_message(code: int) -> tuple[str, str]:
    """Chinese and English text for an SDT status code (unknown codes are shown in hex)."""
    return SDT_STATUS.get(code, (f"读卡器返回未知状态 0x{code:02X}", f"Unknown card-reader status 0x{code:02X}"))
