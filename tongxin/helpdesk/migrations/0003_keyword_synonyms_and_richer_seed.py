"""Triage rules say things the way callers say them: synonyms and simple "*" patterns per rule,
and a richer seeded list (chest pain, breathlessness, fainting, fits, labour, bleeding, suicide
risk, stroke, poisoning, …). The list is data: the command post and duty staff edit it later.

Written out here (not imported from the services) so the migration stays what it was when later
code changes. Existing rules keep their priority; they only gain synonyms they do not have."""

from django.db import migrations, models

U, H, N = "urgent", "high", "normal"

RULES = [
    # keyword, priority, category, marks emergency, synonyms
    ("胸痛", U, "emergency", True,
     "胸口*疼、胸口*痛、胸口*闷、胸闷、胸*压着、心口*疼、心口*痛、心绞痛、心梗、心肌梗、"
     "心脏*不舒服、心脏*疼、心脏病*犯、心慌*出汗"),
    ("呼吸困难", U, "emergency", True,
     "喘不*气、透不*气、上不来气、气*上不来、喘不动、憋气、憋得*难受、气喘*厉害、"
     "喘得*厉害、呼吸*急促、呼吸*费力、没*呼吸、不*呼吸了、窒息、噎住、卡住*喉咙、嘴唇发紫"),
    ("昏迷", U, "emergency", True,
     "昏倒、晕倒、晕过去、昏过去、昏迷、叫不醒、喊不醒、叫*没*反应、喊*没*反应、不省人事、"
     "失去意识、没*意识、人事不省、倒在地上*起不来、摔倒*起不来"),
    ("抽搐", U, "emergency", True, "抽筋*口吐白沫、口吐白沫、抽风、癫痫*发作、浑身*抽"),
    ("临产", U, "maternity", True,
     "要生了、快生了、马上*生了、羊水破了、破水、见红、宫缩、阵痛、肚子*疼*预产期、"
     "预产期*肚子*疼"),
    ("大出血", U, "emergency", True,
     "出血*止不住、血*止不住、流血不止、流*很多血、大量出血、吐血、咯血、呕血、便血"),
    ("中风", U, "emergency", True,
     "脑梗、脑溢血、脑出血、嘴歪、口角歪、半边*麻、半边身子*动不了、说不出话、说话不清、"
     "口齿不清、突然*看不见"),
    ("想不开", U, "mental", True,
     "自杀、轻生、不想活、活不下去、寻死、割腕、跳楼、跳河、结束*生命、吃了*安眠药、"
     "喝了*农药、喝农药"),
    ("中毒", U, "emergency", True,
     "煤气中毒、一氧化碳、误服、误吞、吞了*药、吃错*药、食物中毒"),
    ("严重外伤", U, "emergency", True,
     "车祸、骨折、摔*骨头、烧伤、烫伤*大片、头*撞*流血、伤口*很深、被*咬*流血"),
    ("过敏", U, "emergency", True, "过敏*肿、喉咙*肿、过敏性休克、全身*起疹*喘"),
    ("剧痛", U, "emergency", True, "疼得*受不了、痛得*受不了、疼得*打滚、痛得*打滚、剧烈*疼、剧烈*痛"),
    ("血透", U, "dialysis", False, "血液透析、做透析"),
    ("透析", U, "dialysis", False, "腹透、肾衰、尿毒症"),
    ("孕", U, "maternity", False, "产检、产妇、待产、预产期"),
    ("化疗", U, "medicine", False, "放疗、癌症*治疗、肿瘤*治疗"),
    ("高烧", U, "medicine", False, "高热、烧到*39、烧到*40、烧到*41、发烧*39、发烧*40、39度、40度"),
    ("婴儿", H, "food", False, "新生儿、宝宝、奶粉、尿不湿、小月龄"),
    ("独居老人", H, "", False,
     "独居、孤寡、空巢、一个人住、没人照顾、瘫痪、卧床、行动不便、坐轮椅、残疾、"
     "老年痴呆、失智"),
    ("断药", H, "medicine", False,
     "没药了、药*没了、药*吃完、药*快*完、药*用完、药*断了、缺药、买不到药、配不到药、胰岛素、降压药、"
     "降糖药、哮喘药、癫痫药、抗排异"),
    ("发烧", H, "medicine", False, "发热、低烧、体温*高"),
    ("身体不适", H, "medicine", False,
     "肚子*疼、腹痛、头晕、呕吐、拉肚子、腹泻、心慌、血压*高、血糖*高、血糖*低、不舒服*厉害"),
    ("断粮", H, "food", False, "没*吃的、没饭吃、饿了*天、饿*两天、吃不上饭、揭不开锅"),
    ("情绪崩溃", H, "mental", False, "崩溃、焦虑、抑郁、失眠*天、一直哭、情绪*不稳"),
]


def seed(apps, schema_editor):
    KeywordRule = apps.get_model("helpdesk", "KeywordRule")
    for keyword, priority, category, emergency, synonyms in RULES:
        rule, created = KeywordRule.objects.get_or_create(
            keyword=keyword,
            defaults={
                "priority": priority,
                "category": category,
                "marks_emergency": emergency,
                "synonyms": synonyms,
            },
        )
        if not created and not rule.synonyms:
            rule.synonyms = synonyms
            rule.save(update_fields=["synonyms"])


def unseed(apps, schema_editor):
    KeywordRule = apps.get_model("helpdesk", "KeywordRule")
    kept = {"血透", "透析", "孕", "临产", "胸痛", "呼吸困难", "抽搐"}
    KeywordRule.objects.filter(keyword__in=[r[0] for r in RULES]).exclude(keyword__in=kept).delete()


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0002_seed_keyword_rules")]

    operations = [
        migrations.AddField(
            model_name="keywordrule",
            name="synonyms",
            field=models.TextField(
                blank=True,
                default="",
                help_text="其他说法，每行一个（也可用顿号、逗号分隔）。“*”代表中间最多8个字，如“胸口*疼”可匹配“胸口有点疼”。关键词本身也可以这样写。",
                verbose_name="同义说法",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
