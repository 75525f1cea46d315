"""Word pools for the demo township: a mountain township in Shouning county, Ningde, Fujian.

Names, places and phrases are invented but typical (the surnames are the common ones of
northern Fujian). Nothing here is a real person.
"""

from __future__ import annotations

COUNTY = "福建省宁德市寿宁县"
TOWNSHIP = "坑底乡"
TOWNSHIP_CODE = "350924201"  # 12-digit village codes start with this
STATION = "寿宁县公安局坑底派出所"
STATION_CODE = "KD350924"  # signs the demo township's doorplates and plaques
LOCAL_REGION = "350924"  # 寿宁县
PLATE_PREFIX = "闽J"  # 宁德

VILLAGES = [
    "坑底村", "小东村", "东山楼村", "杨溪头村", "岭根村", "竹坪村", "后坑村", "上洋村", "贡川村", "际头村",
    "大东村", "外洋村", "洋边村", "溪源村", "半岭村", "龙潭村", "黄土坪村", "林坑村", "岗头村", "乌石村",
]
HAMLET_WORDS = ["下洋", "后门山", "岭头", "溪口", "上厝", "坑里", "垄头", "半山", "寨下", "洋尾", "门口坪", "石壁"]
ROADS = ["村中路", "溪边路", "新村路", "老街", "岭下路", "学校路"]

SURNAMES = (
    "陈" * 14 + "林" * 8 + "吴" * 7 + "叶" * 6 + "范" * 5 + "缪" * 4 + "刘" * 4 + "王" * 4 + "张" * 4
    + "黄" * 3 + "郑" * 3 + "李" * 3 + "周" * 2 + "徐" * 2 + "杨" * 2 + "柳" + "龚" + "何" + "卢" + "魏"
)  # one character each (drawn with rng.choice); the compound 欧阳 is drawn apart, 1 in 100
GIVEN_MALE = "伟强军平明华建国志勇文斌辉杰涛海波鑫磊宏峰俊浩宇晨东福生荣旺发"
GIVEN_FEMALE = "丽秀英华芳娟玉梅兰霞燕红敏静婷雪琴凤珍娜莉萍月桂金春"
MIGRANT_REGIONS = [  # where migrant workers in Ningde commonly come from (county codes)
    ("522401", "贵州省毕节市七星关区"), ("520221", "贵州省六盘水市水城区"), ("360730", "江西省赣州市宁都县"),
    ("511321", "四川省南充市南部县"), ("411524", "河南省信阳市商城县"), ("430524", "湖南省邵阳市隆回县"),
    ("530324", "云南省曲靖市罗平县"), ("341523", "安徽省六安市舒城县"),
]
FOREIGN = [("VNM", "越南"), ("MMR", "缅甸"), ("LAO", "老挝"), ("KHM", "柬埔寨")]
OCCUPATIONS = ["务农", "茶农", "外出务工", "个体经营", "学生", "退休", "教师", "村干部", "木工", "货车司机", "无业"]
EMPLOYERS = ["寿宁县坑底茶叶合作社", "坑底乡竹木加工厂", "宁德时代新能源科技股份有限公司", "寿宁县下党红茶厂", "坑底乡中心小学"]
SCHOOLS = ["坑底乡中心小学", "寿宁县第二中学", "坑底乡初级中学", "寿宁县实验小学"]
NO_EMPLOYER = {"务农", "茶农", "学生", "退休", "无业"}  # occupations with no 服务处所 to name
AGENCIES = ["坑底乡司法所", "坑底乡人民政府", "坑底乡综治中心", "坑底乡卫生院", "寿宁县市场监督管理局",
            "寿宁县应急管理局", "坑底乡中心小学", "村民委员会"]
WORK_CITIES = ["广东省深圳市宝安区", "浙江省温州市瓯海区", "福建省福州市仓山区", "福建省厦门市集美区", "浙江省宁波市鄞州区",
               "上海市松江区"]
FOREIGN_NAMES = ["NGUYEN THI HOA", "TRAN THI MAI", "LE THI LAN", "PHAM THI THU", "VU THI HUONG", "MA AYE AYE",
                 "KHAMPHENG SOUVANNA", "SOK CHANTHA"]
# 品牌型号 by the vehicles form's vehicle_type choice (cars for anything not listed).
MAKES: dict[str, list[str]] = {
    "car": ["大众朗逸", "丰田卡罗拉", "日产轩逸", "比亚迪秦PLUS", "吉利帝豪", "本田雅阁"],
    "suv": ["长安CS75", "哈弗H6", "比亚迪宋PLUS", "吉利博越", "本田CR-V"],
    "van": ["五菱宏光", "长安之星", "东风小康C37", "金杯海狮"],
    "bus": ["宇通ZK6809", "金龙XMQ6802", "东风超龙EQ6700"],
    "truck": ["福田欧马可", "江淮帅铃", "解放J6F", "东风多利卡", "重汽豪沃"],
    "tricycle": ["时风7YP-1150", "五征7YP-1450", "巨力7YP-1175"],
    "motorcycle": ["豪爵HJ125-8", "五羊本田WH125", "新大洲本田SDH125", "钱江QJ150"],
    "e_bike": ["雅迪DE3", "爱玛AM600", "台铃TL1200", "新日XR500"],
    "tractor": ["东方红LX904", "雷沃M604", "常发CFD504"],
    "farm_machine": ["久保田PRO688Q", "沃得锐龙", "雷沃谷神GE50"],
}
ENGINE_CODES = ["EA211", "2ZR", "HR16", "BYD476ZQA", "JL474Q", "4D20", "LJ465Q", "152FMI", "LJ4A"]

PHRASES: dict[str, list[str]] = {
    "issue": [
        "邻里宅基地界线有争议", "独居老人家中电线老化", "留守儿童放学无人接送", "出租屋未签治安责任书",
        "村道转弯处缺少警示标志", "山林防火通道堵塞", "电动车楼道充电", "家中存放烟花爆竹", "无",
    ],
    "dispute": [
        "宅基地边界纠纷", "山林权属纠纷", "婚姻家庭纠纷", "赡养纠纷", "劳务工资纠纷", "邻里噪音纠纷",
        "交通事故赔偿纠纷", "土地流转租金纠纷",
    ],
    "event": [
        "山塘护栏损坏", "路边滑坡隐患", "废弃矿洞未封堵", "电动车违规充电", "网络诈骗线索", "可疑人员出没",
        "森林火险隐患", "学校周边交通隐患",
    ],
    "outcome": ["已当场化解", "已调解成功，双方签订协议", "已移交乡司法所", "已上报乡政府", "持续跟踪中"],
    "note": ["情况正常", "已宣传反诈知识", "已发放安全防范宣传单", "家中无人，下次再访", "已登记新迁入人员"],
    # 备注 of a register: what an officer jots beside a record, not what happened on a visit.
    "remark": ["长期在外务工，电话联系", "信息已与户口簿核对", "联系电话为家属号码", "春节期间返乡", "行动不便，需上门服务",
               "已加入村反诈群"],
    "mediation": ["组织双方到村委会面对面调解", "请村老人协会成员参与劝解", "现场查看边界后释法说理", "电话联系双方，约定再次调解"],
    "case": ["接网络刷单诈骗报警，被骗3000元", "村民茶青被盗约50斤", "电动车夜间被盗", "酒后滋事，损坏他人财物",
             "冒充客服退款诈骗，被骗1200元"],
    "publicity": ["在村委会门口设点宣传反诈知识，发放宣传单80份", "进校园开展交通安全讲座", "入户宣传防火防汛知识",
                  "利用赶集日宣传防范养老诈骗"],
    "follow_up": ["本人在家，情绪稳定", "已外出务工，电话联系正常", "近期无异常", "家属反映其按时服药"],
    "matter": ["预约办理居民身份证", "补领居民身份证", "开具户籍证明", "办理居住证", "户口迁移咨询"],
    "handled": ["已办结", "材料不全，已告知补齐", "已受理，等待制证", "已按时完成"],
    "findings": ["未发现问题", "灭火器过期", "消防通道堵放杂物", "电线私拉乱接", "未落实值班登记"],
    "task": ["走访辖区独居老人", "排查出租屋消防隐患", "开展反诈宣传进村入户", "核查新迁入人员信息"],
    "key_places": ["村小学、村部", "水库、山塘", "加油站", "村祠堂、宫庙", "茶叶加工厂"],
}
