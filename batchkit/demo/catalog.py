"""Reference data of the demo plant: materials, product lines, work centers, customers.

Kept apart from the generator (`demo`) so the numbers that make the demo
realistic can be read and tuned in one place. Costs are CNY; a line's bill of
materials is written `MATERIAL:qty_per_unit ...`, and `A|B|C:qty` gives each
finished item of the line its own alternative (item i takes the i-th).
"""

from __future__ import annotations

from dataclasses import dataclass

SITES = ("SZ", "CD")  # Suzhou, Chengdu

# material_id, uom, unit cost (CNY), supplier group
MATERIALS: tuple[tuple[str, str, float, str], ...] = (
    ("RES-PP", "kg", 11.20, "resin"), ("RES-PE", "kg", 10.60, "resin"), ("RES-PC", "kg", 26.50, "resin"),
    ("RES-ABS", "kg", 17.80, "resin"), ("RES-PVC", "kg", 16.40, "resin"), ("RES-TPU", "kg", 42.00, "resin"),
    ("RES-LSR", "kg", 98.00, "resin"), ("RES-PET", "kg", 12.40, "resin"), ("RES-PA12", "kg", 68.00, "resin"),
    ("RES-POM", "kg", 21.00, "resin"), ("MB-BLUE", "kg", 58.00, "resin"), ("MB-WHITE", "kg", 36.00, "resin"),
    ("TUB-PVC", "m", 0.42, "tubing"), ("TUB-PVCLP", "m", 0.95, "tubing"), ("TUB-SIL", "m", 4.60, "tubing"),
    ("TUB-PU", "m", 2.20, "tubing"), ("TUB-CORR", "m", 1.35, "tubing"),
    ("NDL-18G", "pcs", 0.16, "metal"), ("NDL-20G", "pcs", 0.14, "metal"), ("NDL-22G", "pcs", 0.13, "metal"),
    ("NDL-24G", "pcs", 0.15, "metal"), ("NDL-31G", "pcs", 0.085, "metal"), ("NDL-SPN", "pcs", 1.85, "metal"),
    ("NDL-BX", "pcs", 6.40, "metal"), ("NDL-LANCET", "pcs", 0.045, "metal"), ("SS-PIN", "pcs", 0.28, "metal"),
    ("SPRING", "pcs", 0.42, "metal"), ("SPRING-MINI", "pcs", 0.035, "metal"), ("BLADE", "pcs", 3.20, "metal"),
    ("GUIDEWIRE", "pcs", 4.80, "metal"), ("SS-WIRE", "kg", 96.00, "metal"),
    ("FLT-AIR", "pcs", 0.32, "component"), ("FLT-LIQ", "pcs", 0.26, "component"),
    ("FLT-PREC", "pcs", 0.68, "component"), ("FLT-HME", "pcs", 2.40, "component"),
    ("VLV-CHECK", "pcs", 0.55, "component"), ("LUER-CAP", "pcs", 0.04, "component"),
    ("RBR-GASKET", "pcs", 0.045, "component"), ("RBR-STOPPER", "pcs", 0.12, "component"),
    ("MASK-STRAP", "pcs", 0.08, "component"), ("TROCAR-SEAL", "pcs", 3.60, "component"),
    ("PCB-CTRL", "pcs", 148.00, "electronics"), ("MOTOR", "pcs", 62.00, "electronics"),
    ("BATT-LI", "pcs", 36.00, "electronics"),
    ("ADH-UV", "kg", 720.00, "chemical"), ("SOLV-CYC", "kg", 34.00, "chemical"), ("SIL-OIL", "kg", 135.00, "chemical"),
    ("EDTA-K2", "kg", 420.00, "chemical"), ("GEL-SEP", "kg", 160.00, "chemical"),
    ("HEPARIN-LI", "kg", 28000.00, "chemical"), ("CITRATE", "kg", 85.00, "chemical"),
    ("CLOT-ACT", "kg", 980.00, "chemical"), ("INK", "kg", 240.00, "chemical"), ("ADH-ACRYL", "kg", 58.00, "chemical"),
    ("FOAM-PU", "m2", 34.00, "sheet"), ("HYDROCOLL", "m2", 48.00, "sheet"), ("SILVER-ALG", "m2", 165.00, "sheet"),
    ("NONWOVEN", "m2", 2.60, "sheet"), ("LINER", "m2", 0.85, "sheet"), ("PU-FILM", "m2", 6.50, "sheet"),
    ("PKG-FILM", "m2", 1.90, "packaging"), ("PKG-PAPER", "m2", 1.25, "packaging"),
    ("PKG-TYVEK", "m2", 9.80, "packaging"), ("PKG-SHRINK", "m2", 0.60, "packaging"),
    ("PKG-TRAY", "pcs", 0.38, "packaging"), ("PKG-BLISTER", "pcs", 0.21, "packaging"),
    ("PKG-CARTON", "pcs", 0.78, "packaging"), ("PKG-CASE", "pcs", 6.20, "packaging"),
    ("LBL", "pcs", 0.028, "packaging"), ("LBL-IND", "pcs", 0.045, "packaging"), ("IFU", "pcs", 0.055, "packaging"),
    ("FOAM-RACK", "pcs", 0.90, "packaging"),
)

SUPPLIERS: dict[str, tuple[str, ...]] = {
    "resin": ("Sinopec Yanshan Petrochemical", "LyondellBasell Asia", "SABIC China", "Covestro Shanghai",
              "Wacker Chemicals Zhangjiagang"),
    "tubing": ("Jiangsu Hengrun Medical Tubing", "浙江康力高分子材料", "Raumedic Asia"),
    "metal": ("Ningbo Jinghe Precision", "苏州瑞翔针业", "Dongguan Huamei Spring", "Shanghai Kemet Precision"),
    "component": ("Wenzhou Yili Filter", "Shenzhen Borui Medical Components", "台州安捷阀门"),
    "electronics": ("Xiamen Hongfa Electronics", "Shenzhen Sunwoda Battery", "Changzhou Fulling Motor"),
    "chemical": ("Henkel Loctite China", "Dymax Asia", "山东海昊生化", "Sinopharm Chemical Reagent"),
    "sheet": ("Foshan Yuanhe Nonwoven", "Shanghai Jieyu Foam", "杭州宝佳敷料材料"),
    "packaging": ("Amcor Flexibles Jiangyin", "华东医用包装", "Suzhou Huaxin Packaging", "Kunshan Baoli Printing"),
}


@dataclass(frozen=True)
class Line:
    """A product line: its finished items share a bill of materials, a routing and a site."""

    code: str  # used in pool IDs (P-QA-INFUSION)
    name: str  # the batches' product_line
    site: str  # home site; most of the line's batches run there
    size: tuple[int, int]  # units started per finished-goods batch
    labor_min: float  # labor minutes per finished unit (whole routing)
    machine_min: float
    m3_per_unit: float  # sterilizer load volume per packed unit
    ops: str  # finished-goods routing: E extrusion, A assembly, B bonding, I inspection, P packaging, S steri-prep
    items: tuple[str, ...]  # finished items (2-4 of them are made)
    bom: str  # purchased materials per finished unit
    l1: tuple[str, str, str]  # level-1 sub-assembly: item, first operation, its materials per unit
    l2: tuple[str, str]  # level-2 sub-assembly (consumes one level-1 unit each): item, materials per unit
    fg_l1: int = 0  # level-1 units a finished unit also consumes directly


_POUCH = "PKG-FILM:0.03 PKG-PAPER:0.03 LBL:1 LBL-IND:0.02 IFU:0.02 PKG-CARTON:0.02 PKG-CASE:0.002"
_TRAY = "PKG-TRAY:1 PKG-TYVEK:0.06 LBL:2 LBL-IND:1 IFU:1 PKG-CARTON:1 PKG-CASE:0.1"
_BLISTER = "PKG-BLISTER:1 PKG-PAPER:0.012 LBL:1 LBL-IND:0.02 IFU:0.02 PKG-CARTON:0.02 PKG-CASE:0.002"

# In this order: the first lines are made by every demo; more lines join as --batches grows.
LINES: tuple[Line, ...] = (
    Line("INFUSION", "Infusion sets", "SZ", (15000, 40000), 0.27, 0.12, 0.0008, "EABIPS",
         ("IS-STD", "IS-PREC", "IS-LP", "IS-PED"),
         "TUB-PVC|TUB-PVC|TUB-PVCLP|TUB-PVC:1.8 NDL-20G|NDL-20G|NDL-20G|NDL-24G:1 FLT-AIR:1 "
         "FLT-LIQ|FLT-PREC|FLT-LIQ|FLT-PREC:1 ADH-UV:0.00003 SOLV-CYC:0.00008 LUER-CAP:1 " + _POUCH,
         ("INF-SPIKE", "molding", "RES-ABS:0.0035 MB-WHITE:0.00005"), ("INF-CHAMBER", "RES-PVC:0.008 FLT-AIR:1")),
    Line("IVCATH", "IV catheters", "SZ", (8000, 25000), 0.375, 0.15, 0.0004, "ABIPS",
         ("IVC-18G", "IVC-20G", "IVC-22G", "IVC-24G"),
         "NDL-18G|NDL-20G|NDL-22G|NDL-24G:1 TUB-PU:0.05 ADH-UV:0.00002 SIL-OIL:0.00001 LUER-CAP:1 VLV-CHECK:1 "
         + _BLISTER,
         ("IVC-HUB", "molding", "RES-PC:0.0012 MB-BLUE:0.00002"), ("IVC-NDLHUB", "RES-PC:0.0015 ADH-UV:0.00001"),
         fg_l1=1),
    Line("SYRINGE", "Syringes", "CD", (30000, 80000), 0.09, 0.08, 0.0003, "ABIPS",
         ("SYR-1ML", "SYR-5ML", "SYR-10ML", "SYR-20ML"),
         "RES-PP:0.003 NDL-24G|NDL-22G|NDL-20G|NDL-18G:1 SIL-OIL:0.000005 INK:0.000004 LUER-CAP:1 PKG-FILM:0.012 "
         "PKG-PAPER:0.012 LBL:0.01 LBL-IND:0.01 IFU:0.01 PKG-CARTON:0.01 PKG-CASE:0.001",
         ("SYR-ROD", "molding", "RES-PP:0.002"), ("SYR-PLUNGER", "RBR-GASKET:1 SIL-OIL:0.000003")),
    Line("STAPLER", "Surgical staplers", "SZ", (300, 1500), 21.0, 6.0, 0.004, "ABIPS",
         ("STP-LIN60", "STP-LIN80", "STP-CIR28", "STP-ENDO45"),
         "SS-PIN:6 SPRING:4 BLADE:1 RES-POM:0.012 RES-ABS:0.045 PCB-CTRL:1 MOTOR:1 BATT-LI:1 SIL-OIL:0.00002 "
         + _TRAY,
         ("STP-CARTBODY", "molding", "RES-PA12:0.015 MB-BLUE:0.0002"), ("STP-CARTRIDGE", "SS-WIRE:0.004 SS-PIN:2")),
    Line("BCT", "Blood collection tubes", "CD", (50000, 150000), 0.045, 0.04, 0.00012, "AIPS",
         ("BCT-EDTA", "BCT-SST", "BCT-HEP", "BCT-CIT"),
         "RES-PET:0.0045 EDTA-K2:0.000004|GEL-SEP:0.0011|HEPARIN-LI:0.0000006|CITRATE:0.00002 CLOT-ACT:0.000002 "
         "LBL:1 FOAM-RACK:0.01 PKG-SHRINK:0.002 PKG-CARTON:0.01 PKG-CASE:0.001 IFU:0.001",
         ("BCT-CAP", "molding", "RES-PE:0.0016 MB-BLUE:0.00003"), ("BCT-CLOSURE", "RBR-STOPPER:1")),
    Line("URICATH", "Urinary catheters", "CD", (5000, 15000), 0.9, 0.3, 0.0006, "EABIPS",
         ("UC-FOLEY2", "UC-FOLEY3", "UC-INTERM", "UC-SILICONE"),
         "TUB-SIL:0.42 RES-LSR:0.004 SIL-OIL:0.00002 INK:0.000005 PKG-FILM:0.04 PKG-PAPER:0.04 LBL:1 LBL-IND:0.1 "
         "IFU:0.1 PKG-CARTON:0.1 PKG-CASE:0.005",
         ("UC-FUNNEL", "molding", "RES-LSR:0.006"), ("UC-VALVE", "VLV-CHECK:1 RES-PC:0.002")),
    Line("DRESSING", "Wound dressings", "CD", (10000, 40000), 0.12, 0.1, 0.0002, "ABIPS",
         ("WD-FOAM10", "WD-HC10", "WD-AG10", "WD-FILM6"),
         "FOAM-PU|HYDROCOLL|SILVER-ALG|PU-FILM:0.012 ADH-ACRYL:0.0004 LINER:0.014 PKG-FILM:0.018 PKG-PAPER:0.018 "
         "LBL:0.1 LBL-IND:0.01 IFU:0.1 PKG-CARTON:0.1 PKG-CASE:0.005",
         ("WD-ADHWEB", "coating", "NONWOVEN:0.012 ADH-ACRYL:0.0003"), ("WD-PADLAM", "LINER:0.012")),
    Line("ANESTH", "Anesthesia breathing circuits", "SZ", (3000, 10000), 1.35, 0.35, 0.003, "EABIPS",
         ("BC-ADULT", "BC-PED", "BC-EXT"),
         "TUB-CORR:1.6 FLT-HME:1 LUER-CAP:2 RES-PP:0.01 PKG-FILM:0.08 LBL:1 IFU:1 PKG-CARTON:0.05 PKG-CASE:0.02 "
         "LBL-IND:0.05",
         ("BC-YPIECE", "molding", "RES-PP:0.012"), ("BC-ELBOW", "RES-PC:0.006 LUER-CAP:1"), fg_l1=1),
    Line("EXTSET", "Extension sets and stopcocks", "SZ", (20000, 50000), 0.18, 0.1, 0.0004, "EABIPS",
         ("EXT-10CM", "EXT-50CM", "EXT-3WAY"),
         "TUB-PVC:0.3 LUER-CAP:2 SOLV-CYC:0.00004 " + _POUCH,
         ("EXT-SCBODY", "molding", "RES-PC:0.003"), ("EXT-STOPCOCK", "RES-PE:0.0012 SIL-OIL:0.000005")),
    Line("PENNDL", "Insulin pen needles", "CD", (100000, 300000), 0.018, 0.015, 0.00003, "ABIPS",
         ("PN-4MM", "PN-5MM", "PN-8MM"),
         "NDL-31G:1 ADH-UV:0.000003 SIL-OIL:0.000001 PKG-PAPER:0.0006 LBL:0.01 LBL-IND:0.01 IFU:0.01 "
         "PKG-CARTON:0.01 PKG-CASE:0.0005",
         ("PN-HUB", "molding", "RES-PP:0.0004"), ("PN-SHIELD", "RES-PE:0.0008"), fg_l1=1),
    Line("OXYGEN", "Oxygen masks and nasal cannulas", "CD", (10000, 30000), 0.3, 0.1, 0.0012, "EABIPS",
         ("OX-MASK-A", "OX-MASK-P", "OX-CANNULA"),
         "TUB-PVC:2.1 RES-PVC:0.018 MASK-STRAP:1 PKG-FILM:0.05 LBL:1 IFU:0.02 PKG-CARTON:0.02 PKG-CASE:0.002",
         ("OX-CONNECTOR", "molding", "RES-PP:0.002"), ("OX-NOSEPIECE", "RES-PVC:0.003 SOLV-CYC:0.00002")),
    Line("SUCTION", "Suction catheters", "CD", (15000, 40000), 0.15, 0.08, 0.0005, "EABIPS",
         ("SC-FR10", "SC-FR12", "SC-FR14", "SC-FR16"),
         "TUB-PVC:0.55 SOLV-CYC:0.00003 " + _POUCH,
         ("SC-CONNECTOR", "molding", "RES-PVC:0.002 MB-WHITE:0.00003"), ("SC-VALVEHEAD", "VLV-CHECK:1")),
    Line("TRANSF", "Blood transfusion sets", "SZ", (10000, 30000), 0.3, 0.13, 0.0009, "EABIPS",
         ("TS-STD", "TS-FILTER"),
         "TUB-PVC:1.6 NDL-18G:1 FLT-LIQ:2 ADH-UV:0.00003 SOLV-CYC:0.00008 LUER-CAP:1 " + _POUCH,
         ("TS-SPIKE", "molding", "RES-ABS:0.0035"), ("TS-FILTERCHAMBER", "RES-PVC:0.01 FLT-LIQ:1")),
    Line("BIOPSY", "Biopsy needles", "SZ", (1000, 4000), 5.25, 1.8, 0.0008, "ABIPS",
         ("BX-14G", "BX-16G", "BX-18G"),
         "NDL-BX:1 SPRING:2 RES-ABS:0.018 ADH-UV:0.00005 PKG-TRAY:1 PKG-TYVEK:0.03 LBL:2 LBL-IND:1 IFU:1 "
         "PKG-CARTON:0.2 PKG-CASE:0.02",
         ("BX-HANDLE", "molding", "RES-ABS:0.02 MB-WHITE:0.0003"), ("BX-TRIGGER", "SPRING:1 SS-PIN:2")),
    Line("LANCET", "Safety lancets", "CD", (80000, 200000), 0.015, 0.02, 0.00004, "ABIPS",
         ("LC-21G", "LC-23G", "LC-28G"),
         "NDL-LANCET:1 SPRING-MINI:1 LBL:0.01 LBL-IND:0.01 IFU:0.01 PKG-CARTON:0.01 PKG-CASE:0.0005",
         ("LC-BODY", "molding", "RES-PE:0.0012 MB-BLUE:0.00002"), ("LC-TRIGGER", "RES-PP:0.0005"), fg_l1=1),
    Line("CVC", "Central venous catheters", "SZ", (800, 3000), 6.0, 1.5, 0.0025, "EABIPS",
         ("CVC-1L", "CVC-2L", "CVC-3L"),
         "TUB-PU:0.25 GUIDEWIRE:1 NDL-18G:1 RES-TPU:0.006 LUER-CAP:3 ADH-UV:0.00006 SIL-OIL:0.00002 " + _TRAY,
         ("CVC-HUB", "molding", "RES-TPU:0.004"), ("CVC-JUNCTION", "RES-TPU:0.003 ADH-UV:0.00002")),
    Line("ENTERAL", "Enteral feeding sets", "CD", (8000, 25000), 0.3, 0.12, 0.0012, "EABIPS",
         ("EN-GRAVITY", "EN-PUMP"),
         "TUB-PVC:2.0 RES-PVC:0.012 LUER-CAP:1 SOLV-CYC:0.00006 PKG-FILM:0.04 LBL:1 LBL-IND:0.02 IFU:0.02 "
         "PKG-CARTON:0.03 PKG-CASE:0.003",
         ("EN-CONNECTOR", "molding", "RES-PP:0.003 MB-BLUE:0.00005"), ("EN-BAGPORT", "RES-PVC:0.005"), fg_l1=1),
    Line("SPINAL", "Spinal needles", "SZ", (5000, 15000), 0.6, 0.25, 0.0003, "ABIPS",
         ("SP-22G", "SP-25G", "SP-27G"),
         "NDL-SPN:1 ADH-UV:0.00002 LUER-CAP:1 " + _BLISTER,
         ("SP-HUB", "molding", "RES-PC:0.0015"), ("SP-STYLET", "RES-PP:0.0008 SS-WIRE:0.0005"), fg_l1=1),
    Line("TROCAR", "Laparoscopic trocars", "SZ", (500, 2000), 9.0, 3.0, 0.005, "ABIPS",
         ("TR-5MM", "TR-10MM", "TR-12MM"),
         "TROCAR-SEAL:1 BLADE:1 RES-PC:0.06 RES-ABS:0.03 SIL-OIL:0.00005 " + _TRAY,
         ("TR-CANNULA", "molding", "RES-PC:0.045"), ("TR-OBTURATOR", "RES-ABS:0.02 BLADE:1"), fg_l1=1),
    Line("DRAIN", "Wound drainage systems", "CD", (3000, 10000), 1.05, 0.3, 0.0035, "EABIPS",
         ("DR-200ML", "DR-400ML"),
         "TUB-PVC:1.2 TUB-SIL:0.3 RES-PE:0.04 SPRING:1 VLV-CHECK:1 " + _POUCH,
         ("DR-BULB", "molding", "RES-PE:0.035"), ("DR-RESERVOIR", "RES-PE:0.02 VLV-CHECK:1")),
)

# Routing steps: operation, work-center type, share of the item's labor and machine time.
FG_STEPS: dict[str, tuple[str, str, float, float]] = {
    "E": ("extrusion", "EXTR", 0.10, 0.35),
    "A": ("assembly", "ASSY", 0.45, 0.35),
    "B": ("bonding", "BOND", 0.10, 0.10),
    "I": ("inspection", "INSP", 0.15, 0.02),
    "P": ("packaging", "PACK", 0.15, 0.15),
    "S": ("sterilization-prep", "STPR", 0.05, 0.03),
}
L1_STEPS: tuple[tuple[str, str, float, float], ...] = (
    ("{first}", "{type}", 0.6, 0.95), ("inspection", "INSP", 0.4, 0.05))
L2_STEPS: tuple[tuple[str, str, float, float], ...] = (
    ("assembly", "ASSY", 0.6, 0.7), ("bonding", "BOND", 0.2, 0.25), ("inspection", "INSP", 0.2, 0.05))
FIRST_OP_TYPE = {"molding": "MOLD", "coating": "COAT", "extrusion": "EXTR"}
SUB_TIME = {0: (0.10, 0.30), 1: (0.20, 0.15)}  # level -> share of the line's labor, machine minutes per unit

# work center -> site; labor (CNY/h) and machine (CNY/h) rate ranges per type
WORK_CENTERS: tuple[tuple[str, str], ...] = tuple(
    [(f"MOLD0{i}", "SZ") for i in (1, 2, 3)] + [("EXTR01", "SZ"), ("EXTR02", "SZ"), ("COAT01", "SZ")]
    + [(f"ASSY0{i}", "SZ") for i in (1, 2, 3)] + [("BOND01", "SZ"), ("INSP01", "SZ"), ("PACK01", "SZ"),
                                                  ("PACK02", "SZ"), ("STPR01", "SZ")]
    + [("MOLD04", "CD"), ("MOLD05", "CD"), ("EXTR03", "CD"), ("COAT02", "CD"), ("ASSY04", "CD"), ("ASSY05", "CD"),
       ("BOND02", "CD"), ("INSP02", "CD"), ("PACK03", "CD"), ("STPR02", "CD")]
)
RATE_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "MOLD": ((58, 72), (160, 260)), "EXTR": ((60, 75), (110, 170)), "COAT": ((62, 78), (180, 320)),
    "ASSY": ((48, 65), (80, 160)), "BOND": ((52, 68), (40, 70)), "INSP": ((70, 95), (30, 55)),
    "PACK": ((45, 55), (45, 80)), "STPR": ((55, 70), (35, 60)),
}

CUSTOMERS: tuple[str, ...] = (
    "国药控股", "上海医药", "华润医药商业", "九州通医药", "重庆医药", "南京医药", "英特药业", "嘉事堂药业",
    "Zuellig Pharma", "DKSH Hong Kong", "Medline Asia", "Henry Schein China", "Owens & Minor Asia",
    "Cardinal Health China", "Sinopharm Medical Device", "Shanghai Kangda Medical Supply",
    "Guangzhou Pharmaceutical Holdings", "Sichuan Kelun Distribution", "Hubei Jiuzhou Medical",
    "上海瑞金医院", "北京协和医院", "四川大学华西医院", "复旦大学附属中山医院", "浙江大学医学院附属第一医院",
    "中山大学附属第一医院", "华中科技大学同济医学院附属同济医院", "南京鼓楼医院", "江苏省人民医院",
    "苏州大学附属第一医院", "成都市第三人民医院", "重庆医科大学附属第一医院", "西安交通大学第一附属医院",
    "郑州大学第一附属医院", "山东省立医院", "广东省人民医院", "上海市第六人民医院", "北京大学第三医院",
    "天津医科大学总医院", "湖南湘雅医院", "福建医科大学附属协和医院", "云南省第一人民医院", "贵州省人民医院",
    "新疆医科大学第一附属医院", "吉林大学白求恩第一医院", "中国医科大学附属盛京医院", "河北医科大学第二医院",
    "安徽医科大学第一附属医院", "江西省人民医院", "广西医科大学第一附属医院", "青岛大学附属医院",
    "Singapore General Hospital", "Bumrungrad International", "Queen Mary Hospital Hong Kong",
    "Siloam Hospitals Group", "Apollo Hospitals Chennai", "Vinmec Healthcare", "Mount Elizabeth Hospital",
    "Seoul National University Hospital", "Makati Medical Center", "Dubai Healthcare City Authority",
)
N_DISTRIBUTORS = 19  # the first names above are distributors (lower prices), the rest hospitals

VENDORS: dict[str, tuple[str, ...]] = {
    "sterilization": ("Steris AST Suzhou", "苏州嘉仕灭菌服务", "Sotera Health Chengdu"),
    "outsourcing": ("Suzhou Lianchuang Laser Marking", "昆山精密针管加工", "Chengdu Plasma Surface Tech"),
    "inspection": ("SGS-CSTC Suzhou", "Pony Testing", "苏州医疗器械检验所", "CTI Chengdu"),
    "packaging": ("Kunshan Baoli Printing", "华东医用包装"),
    "transport": ("SF Express", "Deppon Logistics", "China Railway Express"),
    "rework": ("in-house rework", "Suzhou Lianchuang Laser Marking"),
}
DEFECTS = {
    0: ("short shot", "flash", "sink marks", "dimension out of tolerance", "black specks"),
    1: ("bond strength low", "leak", "missing component", "particulate", "misassembly"),
    2: ("seal width out of spec", "label misprint", "pouch damage", "leak", "particulate", "bond strength low"),
}
TESTS = {0: ("visual", "dimensional", "tensile"), 1: ("visual", "tensile", "leak"),
         2: ("leak", "tensile", "sterility", "bioburden", "visual")}
