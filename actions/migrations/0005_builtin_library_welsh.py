"""Welsh for the built-in interventions library.

Written by the SWORD team, not by a certified translator: an organisation's Welsh language
officer should review it (`manage.py export_translations`, see the README). Matched on the
English title of each built-in intervention. Frozen here with the migration.
"""

from django.db import migrations

# English title: (title, what to do, why it helps, how you will know it worked), in Welsh.
WELSH = {
    "Allocate new cases openly at a weekly meeting": (
        "Dyrannu achosion newydd yn agored mewn cyfarfod wythnosol",
        "Dyrannwch waith newydd mewn cyfarfod tîm byr bob wythnos lle mae llwyth achosion presennol pob gweithiwr, ei waith llys a chymhlethdod ei achosion i’w gweld, yn hytrach na thrwy e-bost neu sgwrs yn y coridor.",
        "Caiff dyrannu sy’n agored ac sy’n pwyso a mesur cymhlethdod yn ogystal â niferoedd ei weld yn decach, ac mae’n atal yr achosion anoddaf rhag glanio’n dawel ar yr un ychydig bobl ddibynadwy.",
        "Mae’r datganiadau am ddyrannu teg a llwyth achosion hylaw yn y maes Llwyth gwaith yn codi yn yr arolwg byr nesaf.",
    ),
    "Protect a weekly half-day for case recording": (
        "Neilltuo hanner diwrnod yr wythnos ar gyfer cofnodi achosion",
        "Rhowch hanner diwrnod penodol bob wythnos i bob ymarferydd heb unrhyw ddyletswydd, cyfarfodydd nac ymweliadau wedi’u trefnu, wedi’i gadw ar gyfer cofnodi achosion, cronolegau a chynllunio.",
        "Pan gaiff cofnodi ei wasgu o gwmpas ymweliadau, mae’n gorlifo i’r nosweithiau; mae amser wedi’i neilltuo yn ystod oriau gwaith yn gwneud y baich gweinyddol yn weladwy ac yn ei gadw o fewn yr wythnos waith.",
        "Mae’r oriau yr wythnos o gofnodi achosion a wneir y tu allan i oriau dan gontract yn gostwng, ac mae’r datganiad am amser ar gyfer gwaith uniongyrchol yn gwella yn yr arolwg byr nesaf.",
    ),
    "Remove duplicate forms and recording fields": (
        "Cael gwared ar ffurflenni a meysydd cofnodi dyblyg",
        "Gofynnwch i ymarferwyr restru’r ffurflenni a’r meysydd y maent yn eu llenwi ddwywaith, yna cytunwch ag arweinydd ansawdd y gwasanaeth i gyfuno neu ddileu o leiaf dri ohonynt o fewn y mis.",
        "Mae astudiaethau o lwyth gwaith gwaith cymdeithasol yn canfod dro ar ôl tro fod y baich gweinyddol yn gwasgu gwaith uniongyrchol gyda theuluoedd allan, sef y rhan o’r swydd sy’n denu pobl ac yn eu cadw.",
        "Mae’r oriau yr wythnos o gofnodi achosion yn gostwng yn y ffurflen ffigurau strwythurol nesaf.",
    ),
    "Set and fund a caseload cap per FTE": (
        "Pennu ac ariannu uchafswm llwyth achosion fesul CALl",
        "Cytunwch ar uchafswm llwyth achosion i bob gweithiwr amser llawn, wedi’i addasu ar gyfer cymhlethdod ac achosion gofal, ac ymrwymwch gyllideb ar gyfer swyddi ychwanegol neu gyflenwi pryd bynnag y bydd tîm yn mynd drosto.",
        "Mae llwythi achosion uchel ymhlith y rhesymau a roddir amlaf gan weithwyr cymdeithasol dros adael; mae uchafswm y mae’r sefydliad yn ei ariannu yn rhoi’r cyfrifoldeb am lwyth gwaith ar y system yn hytrach nag ar unigolion.",
        "Mae’r llwyth achosion fesul CALl yn aros ar yr uchafswm a gytunwyd neu’n is, ac mae trosiant staff yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Introduce a weighted caseload model": (
        "Cyflwyno model llwyth achosion wedi’i bwysoli",
        "Rhowch offeryn pwysoli yn lle cyfrif achosion moel, un sy’n ystyried cymhlethdod, teithio, gwaith llys a llwythi achosion gwarchodedig i staff newydd gymhwyso, ac adolygwch y pwysoliadau gydag ymarferwyr bob chwarter.",
        "Mae cyfrif achosion yn unig yn cuddio gofynion gwahanol iawn; mae pwysoli’n gwneud dyrannu’n decach ac yn rhoi tystiolaeth i reolwyr uwchgyfeirio pwysau cyn i bobl losgi allan.",
        "Mae’r amrywiad yn y llwyth achosion wedi’i bwysoli fesul CALl ar draws y tîm yn culhau, ac mae’r datganiad am ddyrannu teg yn gwella dros ddau arolwg byr.",
    ),
    "Book supervision ahead and never simply cancel": (
        "Trefnu goruchwyliaeth ymlaen llaw a pheidio byth â’i chanslo’n unig",
        "Rhowch oruchwyliaeth yn y dyddiaduron am y chwe mis nesaf a chytunwch mai dim ond argyfwng gwirioneddol sy’n ei symud, gyda dyddiad newydd wedi’i bennu o fewn pum diwrnod gwaith.",
        "Mae goruchwyliaeth a gaiff ei chanslo’n aml yn dweud wrth ymarferwyr fod myfyrio’n ddewisol; mae cysylltiad agos rhwng goruchwyliaeth reolaidd, ddibynadwy a staff sy’n teimlo eu bod yn cael eu cefnogi ac yn dewis aros.",
        "Mae’r ganran o oruchwyliaeth a gynhelir mor aml ag a gytunwyd yn codi yn y ffurflen ffigurau strwythurol nesaf.",
    ),
    "Open supervision with the emotional impact": (
        "Dechrau goruchwyliaeth gyda’r effaith emosiynol",
        "Dechreuwch bob sesiwn goruchwylio gydag amser ar sut mae ymweliadau, penderfyniadau a gwrandawiadau llys diweddar wedi effeithio ar y gweithiwr, cyn symud ymlaen at reoli achosion a chamau archwilio.",
        "Mae goruchwyliaeth sydd ond yn olrhain tasgau yn gadael pwysau emosiynol gwaith diogelu heb ei brosesu; mae lle i feddwl amdano’n cefnogi barn gliriach ac yn lleihau’r risg o losgi allan.",
        "Mae’r datganiad am oruchwyliaeth yn rhoi sylw i effaith emosiynol y gwaith yn gwella yn yr arolwg byr nesaf.",
    ),
    "Run monthly group reflective case discussions": (
        "Cynnal trafodaethau achos myfyriol mewn grŵp bob mis",
        "Cynhaliwch sesiwn fisol wedi’i hwyluso lle mae un ymarferydd yn dod ag achos cyfredol a’r grŵp yn meddwl amdano gyda’i gilydd, ar wahân i benderfyniadau rheoli achosion.",
        "Mae myfyrio mewn grŵp yn lledaenu doethineb ymarfer, yn lleihau unigrwydd ac yn rhoi ail le i feddwl pan fydd goruchwyliaeth un i un dan bwysau.",
        "Mae’r datganiad am oruchwyliaeth fyfyriol yn y maes Goruchwyliaeth yn codi yn yr arolwg byr nesaf.",
    ),
    "Train every supervisor in reflective supervision": (
        "Hyfforddi pob goruchwyliwr mewn goruchwyliaeth fyfyriol",
        "Rhowch hyfforddiant i bob rheolwr tîm a goruchwyliwr ymarfer mewn model cydnabyddedig o oruchwyliaeth fyfyriol, ac yna chwe mis o ymgynghori rhwng cymheiriaid ymhlith goruchwylwyr.",
        "Caiff llawer o reolwyr eu dyrchafu am eu sgiliau ymarfer heb fawr o baratoi i oruchwylio; mae buddsoddi mewn goruchwylwyr yn codi ansawdd y goruchwyliaeth y mae pob ymarferydd yn ei chael.",
        "Mae sgôr y maes Goruchwyliaeth yn gwella dros ddau arolwg byr yn olynol.",
    ),
    "Limit the number of supervisees per manager": (
        "Cyfyngu ar nifer y bobl a oruchwylir gan bob rheolwr",
        "Pennwch uchafswm o bobl a oruchwylir yn uniongyrchol gan bob rheolwr, ac ariannwch swyddi uwch ymarferydd neu oruchwyliwr ymarfer lle mae timau’n fwy na hynny.",
        "Ni all rheolwr sydd â gormod o bobl i’w goruchwylio gadw goruchwyliaeth yn rheolaidd nac yn fyfyriol, waeth pa mor ymroddedig ydyw; mae rhychwant rheolaeth yn amod strwythurol y mae’r sefydliad yn ei bennu.",
        "Mae’r ganran o oruchwyliaeth a gynhelir mor aml ag a gytunwyd yn codi ac yn aros uwchlaw’r targed ym mhob tîm.",
    ),
    "Agree a lone working check-in routine": (
        "Cytuno ar drefn cadw cysylltiad wrth weithio ar eich pen eich hun",
        "Cofnodwch gyfeiriad pob ymweliad cartref a’r amser gorffen disgwyliedig ar galendr neu fwrdd a rennir, gyda chydweithiwr penodol sy’n holi os nad yw’r gweithiwr wedi rhoi gwybod ei fod yn ôl.",
        "Mae gwybod y bydd rhywun yn sylwi os na fyddant yn dychwelyd yn gadael i ymarferwyr fynd i ymweliadau anodd gyda llai o bryder, ac yn cael help atynt yn gynt os aiff rhywbeth o chwith.",
        "Mae’r datganiad am ddiogelwch personol a gweithio ar eich pen eich hun yn gwella yn yr arolwg byr nesaf.",
    ),
    "Debrief every safety incident within two days": (
        "Cynnal ôl-drafodaeth ar bob digwyddiad diogelwch o fewn deuddydd",
        "Gwnewch yn siŵr bod unrhyw weithiwr sy’n wynebu ymddygiad ymosodol, bygythiadau neu ymweliad brawychus yn cael ôl-drafodaeth gyda’i reolwr o fewn dau ddiwrnod gwaith, gyda’r ymweliad nesaf yn cael ei ailddyrannu neu ei rannu os oes angen.",
        "Mae cymorth prydlon, ymarferol ar ôl digwyddiadau yn lleihau niwed parhaol ac yn dangos nad yw camdriniaeth yn cael ei thrin fel rhan arferol o’r swydd.",
        "Mae’r datganiad am gymorth ar ôl digwyddiadau yn y maes Diogelwch yn codi yn yr arolwg byr nesaf.",
    ),
    "Flag risky cases for joint visits": (
        "Nodi achosion peryglus ar gyfer ymweliadau ar y cyd",
        "Nodwch achosion lle mae risg hysbys o ymddygiad ymosodol wrth eu dyrannu, a gwnewch ymweliadau ar y cyd, cyfarfodydd yn y swyddfa neu gwmni’r heddlu yn drefniant arferol ar eu cyfer.",
        "Mae cynllunio ar gyfer risg hysbys cyn ymweliad yn atal llawer o ddigwyddiadau ac yn cael gwared ar y pwysau ar unigolion i fynd ar eu pen eu hunain am nad oes neb arall ar gael.",
        "Mae nifer y digwyddiadau diogelwch fesul 10 CALl yn gostwng dros y ddau chwarter canlynol.",
    ),
    "Provide monitored lone working devices for visits": (
        "Darparu dyfeisiau gweithio ar eich pen eich hun sy’n cael eu monitro",
        "Rhowch ddyfais gweithio ar eich pen eich hun sy’n gysylltiedig ag ymateb wedi’i fonitro i bob ymarferydd sy’n ymweld ar ei ben ei hun, a chyhoeddwch brotocol uwchgyfeirio a gaiff ei brofi o leiaf unwaith y flwyddyn.",
        "Mae offer a gefnogir gan ymateb sydd wedi’i brofi yn troi polisi gweithio ar eich pen eich hun ar bapur yn amddiffyniad go iawn y gall staff ddibynnu arno.",
        "Mae’r datganiad am weithio ar eich pen eich hun yn gwella ac mae nifer y digwyddiadau diogelwch fesul 10 CALl yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Create a protected route for raising concerns": (
        "Creu llwybr gwarchodedig ar gyfer codi pryderon",
        "Sefydlwch lwybr cyfrinachol ar gyfer codi pryderon am ymarfer neu ddiogelwch y tu allan i’r gadwyn rheoli llinell, a chyhoeddwch bob chwarter beth newidiodd o ganlyniad.",
        "Mae pobl yn codi llais pan fyddant yn gweld bod pryderon yn cael sylw a neb yn cael ei gosbi; mae diogelwch seicolegol yn gysylltiedig ag ymarfer mwy diogel ac â staff yn aros.",
        "Mae’r datganiad am fod yn ddiogel i godi pryderon yn gwella dros y ddau arolwg byr nesaf.",
    ),
    "Log recording system faults in one place": (
        "Cofnodi diffygion y system gofnodi mewn un lle",
        "Cadwch gofnod tîm a rennir o ddiffygion y system cofnodi achosion a’r ffyrdd o’u hosgoi, ac anfonwch y tair problem fwyaf costus at berchennog y system bob mis.",
        "Yn aml ni chaiff problemau system eu datrys am fod pob person yn rhoi gwybod amdanynt ar ei ben ei hun; mae eu casglu ynghyd yn arbed amser i gydweithwyr ac yn rhoi tystiolaeth i’r gwasanaeth i’w datrys.",
        "Mae’r datganiad am y system cofnodi achosion yn y maes Systemau yn gwella yn yr arolwg byr nesaf.",
    ),
    "Agree short templates for routine recording": (
        "Cytuno ar dempledi byr ar gyfer cofnodi arferol",
        "Cytunwch ar dempledi byr a rennir ar gyfer cofnodion arferol fel ymweliadau statudol a nodiadau trafodaethau strategaeth, wedi’u gwirio yn erbyn yr hyn y mae archwilio’n ei ofyn mewn gwirionedd.",
        "Mae templedi clir yn lleihau teipio ailadroddus a’r ansicrwydd ynghylch faint sy’n ddigon, sy’n achos cyffredin o gofnodion rhy hir.",
        "Mae’r oriau yr wythnos o gofnodi achosion yn gostwng yn y ffurflen ffigurau strwythurol nesaf.",
    ),
    "Close equipment gaps within a fortnight": (
        "Llenwi bylchau mewn offer o fewn pythefnos",
        "Gwiriwch liniaduron, ffonau, gwefrwyr, mynediad o bell a bagiau diogel ar draws y gwasanaeth, a rhowch rai newydd yn lle unrhyw beth sydd ar goll neu’n methu o fewn pythefnos.",
        "Mae gweithio heb offer dibynadwy ar ymweliadau, ar ddyletswydd ac yn y llys yn gwastraffu amser ac yn awgrymu nad yw gwaith ymarferwyr yn cael ei werthfawrogi.",
        "Mae’r datganiad am offer a TG yn y maes Systemau yn gwella yn yr arolwg byr nesaf.",
    ),
    "Redesign the case management system with practitioners": (
        "Ailgynllunio’r system rheoli achosion gydag ymarferwyr",
        "Cynhwyswch ymarferwyr wrth ailweithio’r system rheoli achosion i leihau’r meysydd gorfodol a chaniatáu cofnodi ar ddyfeisiau symudol, neu rhowch un newydd yn ei lle os na ellir ei thrwsio.",
        "Mae systemau cofnodi sydd wedi’u cynllunio’n wael yn ffynhonnell gyson o rwystredigaeth ac o golli amser ar gyfer gwaith uniongyrchol, ac ymarferwyr sy’n gwybod orau i ble mae’r amser yn mynd.",
        "Mae’r oriau yr wythnos o gofnodi achosion yn gostwng ac mae’r datganiad am y system cofnodi achosion yn gwella dros y flwyddyn ganlynol.",
    ),
    "Provide private space in every office base": (
        "Darparu lle preifat ym mhob swyddfa",
        "Sicrhewch ddigon o ddesgiau ac ystafelloedd preifat y gellir eu harchebu ym mhob swyddfa ar gyfer galwadau cyfrinachol, goruchwyliaeth a chofnodi ar ôl ymweliadau anodd, yn hytrach na dibynnu ar ddesgiau a rennir yn unig.",
        "Mae lle preifat yn diogelu cyfrinachedd ac yn rhoi rhywle i weithwyr ymdawelu a siarad â chydweithwyr ar ôl gwaith gofidus.",
        "Mae’r datganiad am le i weithio yn y maes Systemau yn gwella dros y ddau arolwg byr nesaf.",
    ),
    "Publish daily manager availability for consultation": (
        "Cyhoeddi pryd mae rheolwyr ar gael i ymgynghori bob dydd",
        "Rhannwch bob wythnos pryd mae rheolwr y tîm neu ddirprwy penodol ar gael i ymgynghori ar achosion bob dydd, gan gynnwys diwrnodau dyletswydd a diwrnodau pan fydd y rheolwr yn y llys neu mewn cyfarfodydd.",
        "Mae gwybod at bwy i droi gyda phenderfyniad sy’n peri pryder yn ganolog i deimlo’n ddiogel yn y gwaith, ac mae rheolwr sydd ar gael yn un o’r mathau o gymorth y mae ymarferwyr yn ei werthfawrogi fwyaf.",
        "Mae’r datganiad am reolwr sydd ar gael yn y maes Sylfaen ddiogel yn codi yn yr arolwg byr nesaf.",
    ),
    "Start a ten-minute morning team huddle": (
        "Dechrau cyfarfod tîm deg munud bob bore",
        "Cynhaliwch sesiwn fer bob bore, wyneb yn wyneb neu ar-lein, i rannu pwy sydd allan ar ymweliadau, pwy sydd angen help llaw a pha achosion sy’n peri pryder.",
        "Mae cyswllt rheolaidd yn meithrin ymdeimlad o berthyn a chymorth gan gymheiriaid, yn enwedig mewn timau hybrid lle gall gweithwyr fynd am ddyddiau heb weld cydweithwyr.",
        "Mae’r datganiadau am berthyn ac am gymorth gan gymheiriaid yn gwella yn yr arolwg byr nesaf.",
    ),
    "Pair every new starter with a buddy": (
        "Rhoi cyfaill i bob aelod newydd o staff",
        "Parwch bob aelod newydd o staff, gan gynnwys staff asiantaeth, â chydweithiwr profiadol am eu tri mis cyntaf, gydag amser wedi’i neilltuo yn nyddiaduron y ddau ar gyfer cysgodi a chwestiynau.",
        "Y misoedd cyntaf yw’r adeg pan fydd pobl fwyaf tebygol o adael; mae cyfaill yn helpu staff newydd i deimlo eu bod yn perthyn ac i ddysgu systemau a gweithdrefnau lleol yn gyflym.",
        "Mae trosiant ymhlith staff yn eu blwyddyn gyntaf yn gostwng dros y ddau chwarter canlynol.",
    ),
    "Keep teams stable with a shared base": (
        "Cadw timau’n sefydlog gyda chanolfan a rennir",
        "Trefnwch waith fel bod ymarferwyr yn aros gyda’r un cydweithwyr a’r un rheolwr, gyda diwrnodau tîm wedi’u cytuno mewn swyddfa a rennir, ac osgowch ailstrwythuro sy’n chwalu timau dro ar ôl tro.",
        "Mae tîm sefydlog gyda chanolfan gartref yn darparu’r sylfaen ddiogel y mae ymarferwyr yn pwyso arni i ymdopi â gwaith sy’n gofyn llawer yn emosiynol.",
        "Mae sgôr y maes Sylfaen ddiogel yn gwella ac mae trosiant yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Convert agency posts into permanent roles": (
        "Troi swyddi asiantaeth yn swyddi parhaol",
        "Pennwch gynllun wedi’i gostio i droi swyddi asiantaeth yn rhai parhaol, gan ddefnyddio cynnig lleol cystadleuol, llwybrau gyrfa a recriwtio wedi’i dargedu.",
        "Mae trosiant uchel staff asiantaeth yn tarfu ar berthnasoedd tîm ac ar barhad i deuluoedd, ac yn gadael staff parhaol yn cario’r gwaith sefydlu a’r gwaith mwyaf cymhleth.",
        "Mae’r gyfran o staff asiantaeth a’r gyfradd swyddi gwag yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Recognise specific good practice in team meetings": (
        "Cydnabod arfer da penodol mewn cyfarfodydd tîm",
        "Neilltuwch ychydig funudau ym mhob cyfarfod tîm i enwi darn penodol o waith a wnaed yn dda, fel asesiad gofalus neu ymweliad anodd a driniwyd yn fedrus, a dweud beth a’i gwnaeth yn dda.",
        "Mae cydnabod ymarfer medrus yn benodol, yn hytrach na diolch cyffredinol, yn helpu pobl i deimlo bod eu hymdrech yn cael ei gweld mewn swydd lle mae canlyniadau da yn aml yn anweledig.",
        "Mae’r datganiad am deimlo’n werthfawr yn y maes Gwerthfawrogiad yn codi yn yr arolwg byr nesaf.",
    ),
    "Pass on praise from families and courts": (
        "Rhannu canmoliaeth gan deuluoedd a llysoedd",
        "Sefydlwch drefn syml ar gyfer anfon canmoliaeth gan deuluoedd, asiantaethau partner, barnwyr a gwarcheidwaid ymlaen at y gweithiwr a’i reolwr, a soniwch amdani mewn goruchwyliaeth.",
        "Mae gweithwyr cymdeithasol yn clywed llawer mwy am yr hyn a aeth o chwith nag am yr hyn a aeth yn iawn; mae clywed am eu heffaith yn atgyfnerthu bod eu gwaith yn bwysig.",
        "Mae’r datganiad am gydnabod ymdrech yn y maes Gwerthfawrogiad yn gwella yn yr arolwg byr nesaf.",
    ),
    "Remove unnecessary management sign-offs": (
        "Cael gwared ar gymeradwyaeth reoli ddiangen",
        "Adolygwch pa benderfyniadau arferol sydd angen cymeradwyaeth reoli, a gadewch i ymarferwyr profiadol wneud y rheini o fewn eu rôl heb gymeradwyaeth.",
        "Mae cael eich ymddiried â barn broffesiynol yn ffurf greiddiol ar werthfawrogiad, tra bo cymeradwyaeth ddiangen yn arafu gwaith ac yn awgrymu diffyg ymddiriedaeth.",
        "Mae’r datganiad am deimlo bod pobl yn ymddiried ynoch yn y maes Gwerthfawrogiad yn codi yn yr arolwg byr nesaf.",
    ),
    "Create a career path that stays in practice": (
        "Creu llwybr gyrfa sy’n aros ym maes ymarfer",
        "Cyflwynwch raddau uwch ymarferydd ac ymarferydd uwch gyda dilyniant cyflog, fel y gall gweithwyr cymdeithasol profiadol symud ymlaen heb symud i reoli.",
        "Mae ymarferwyr profiadol yn aml yn gadael neu’n symud i waith asiantaeth am fod dilyniant yn golygu rhoi’r gorau i ymarfer uniongyrchol; mae llwybr ymarfer yn cydnabod eu harbenigedd ac yn ei gadw.",
        "Mae trosiant ymhlith staff profiadol yn gostwng ac mae sgôr y maes Gwerthfawrogiad yn gwella dros y flwyddyn.",
    ),
    "Benchmark pay and conditions against neighbouring employers": (
        "Meincnodi cyflog ac amodau yn erbyn cyflogwyr cyfagos",
        "Cymharwch gyflog, lwfans milltiroedd, gwyliau a gweithio hyblyg ag awdurdodau ac asiantaethau cyfagos bob blwyddyn, a chaewch y bylchau sy’n denu staff i ffwrdd.",
        "Mae gwobr deg yn arwydd diriaethol o gael eich gwerthfawrogi, ac mae bylchau gyda chyflogwyr cyfagos yn ei gwneud yn hawdd i staff profiadol symud.",
        "Mae’r gyfradd swyddi gwag a’r gyfran o staff asiantaeth yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Hold monthly blame-free case learning sessions": (
        "Cynnal sesiynau dysgu o achosion heb fai bob mis",
        "Unwaith y mis, edrychwch yn ôl ar achos a aeth yn dda neu’n wael, gan ganolbwyntio ar yr hyn y gall y tîm a’r system ei ddysgu yn hytrach nag ar bwy oedd ar fai.",
        "Mae dysgu o gamgymeriadau heb fai yn annog bod yn agored am gamgymeriadau a digwyddiadau a fu bron â digwydd, sy’n gwneud ymarfer yn fwy diogel ac yn lleihau cofnodi amddiffynnol.",
        "Mae’r datganiad am ddysgu heb fai yn y maes Dysgu yn codi yn yr arolwg byr nesaf.",
    ),
    "Share lessons from court and audit feedback": (
        "Rhannu gwersi o adborth llys ac archwilio",
        "Gofynnwch i bwy bynnag sy’n mynd i wrandawiad llys neu’n cael adborth archwilio rannu dwy neu dair gwers ymarferol yn y cyfarfod tîm nesaf.",
        "Mae rhannu’r hyn y mae barnwyr ac archwilwyr yn chwilio amdano yn lledaenu dysgu’n gyflym ac yn magu hyder cydweithwyr sy’n wynebu gwaith llys am y tro cyntaf.",
        "Mae sgôr y maes Sefydliad sy’n dysgu yn gwella yn yr arolwg byr nesaf.",
    ),
    "Protect time for professional development": (
        "Neilltuo amser ar gyfer datblygiad proffesiynol",
        "Rhowch nifer penodol o ddiwrnodau datblygu wedi’u neilltuo bob blwyddyn i bob ymarferydd, wedi’u cynllunio mewn goruchwyliaeth ac wedi’u cyflenwi ar y rota ddyletswydd.",
        "Datblygiad yn aml yw’r peth cyntaf i gael ei wasgu gan lwyth gwaith; mae amser wedi’i neilltuo yn dangos bod y sefydliad yn buddsoddi yn ei staff ac yn cefnogi gofynion cofrestru.",
        "Mae’r datganiad am gyfleoedd datblygu yn y maes Dysgu yn gwella yn yr arolwg byr nesaf.",
    ),
    "Adopt a systems approach to serious reviews": (
        "Mabwysiadu dull systemau ar gyfer adolygiadau difrifol",
        "Defnyddiwch ddull sy’n seiliedig ar systemau ar gyfer adolygiadau mewnol o ddigwyddiadau difrifol, gan gynnwys yr ymarferwyr dan sylw ac adrodd ar y newidiadau i’r system a wnaed yn hytrach nag ar ganfyddiadau am unigolion.",
        "Mae adolygiadau sy’n canolbwyntio ar fai yn arwain at ymarfer amddiffynnol ac at bobl yn gadael, tra bo dulliau systemau yn dangos yr amodau a wnaeth gamgymeriadau’n fwy tebygol.",
        "Mae’r datganiadau am ddysgu heb fai ac am fod yn ddiogel i godi pryderon yn gwella dros y ddau arolwg byr nesaf.",
    ),
    "Fund a protected first year for newly qualified": (
        "Ariannu blwyddyn gyntaf warchodedig i staff newydd gymhwyso",
        "Sicrhewch fod gweithwyr cymdeithasol newydd gymhwyso yn cael llwyth achosion llai, goruchwyliaeth amlach a rhaglen ddysgu drwy gydol eu blwyddyn gyntaf, gyda’r gost yn cael ei dal yn ganolog.",
        "Mae gweithwyr newydd gymhwyso yn arbennig o agored i losgi allan yn gynnar ac i adael; mae blwyddyn gyntaf warchodedig yn eu helpu i fagu hyder cyn cario llwyth achosion llawn.",
        "Mae trosiant ymhlith staff yn eu blwyddyn gyntaf ar ôl cymhwyso yn gostwng dros y flwyddyn ganlynol.",
    ),
    "Explain the reasons behind every change": (
        "Esbonio’r rhesymau y tu ôl i bob newid",
        "Pan ddaw gweithdrefn, ffurflen neu strwythur newydd, gofynnwch i’r rheolwr esbonio pam mae’n digwydd, beth y dylai ei gyflawni a sut y gall staff roi adborth, cyn iddo ddod i rym.",
        "Mae newid sy’n cael ei esbonio yn teimlo’n llai mympwyol ac yn haws ei roi ar waith, tra bo newid heb esboniad yn erydu ymddiriedaeth mewn arweinwyr.",
        "Mae’r datganiad am esbonio newid yn y maes Cenhadaeth yn codi yn yr arolwg byr nesaf.",
    ),
    "Share what the team's work achieved": (
        "Rhannu’r hyn a gyflawnodd gwaith y tîm",
        "Unwaith y mis, rhannwch enghraifft fer, ddienw o’r hyn a gyflawnodd gwaith y tîm, fel plentyn yn dychwelyd adref yn ddiogel neu oedolyn yn adennill annibyniaeth.",
        "Mae gweld y gwahaniaeth y mae’r gwaith yn ei wneud yn atgyfnerthu diben cyffredin, sy’n un o’r prif resymau pam mae pobl yn dod i waith cymdeithasol ac yn aros ynddo.",
        "Mae’r datganiad am ddiben cyffredin yn y maes Cenhadaeth yn gwella yn yr arolwg byr nesaf.",
    ),
    "Bring practitioners into service planning meetings": (
        "Dod ag ymarferwyr i gyfarfodydd cynllunio gwasanaeth",
        "Gwahoddwch ymarferydd o bob tîm i gyfarfodydd cynllunio’r gwasanaeth, ac adroddwch yn ôl i’r timau beth a benderfynwyd a pham.",
        "Mae cael llais go iawn mewn penderfyniadau sy’n llunio ymarfer bob dydd yn meithrin ymrwymiad ac yn dod â phroblemau ymarferol i’r amlwg cyn iddynt ddod yn bolisi.",
        "Mae’r datganiad am gael llais mewn penderfyniadau yn y maes Cenhadaeth yn codi yn yr arolwg byr nesaf.",
    ),
    "Co-produce the practice model with frontline staff": (
        "Cydgynhyrchu’r model ymarfer gyda staff rheng flaen",
        "Datblygwch neu adnewyddwch y model ymarfer gydag ymarferwyr, teuluoedd a rheolwyr gyda’i gilydd, a gwiriwch fod llwythi achosion ac adnoddau’n caniatáu iddo gael ei ymarfer fel y’i disgrifir.",
        "Mae model ymarfer y bu pobl yn helpu i’w lunio, ac sydd wedi’i gefnogi gan adnoddau realistig, yn rhoi diben cyffredin yn hytrach na slogan sy’n groes i realiti bob dydd.",
        "Mae sgôr y maes Cenhadaeth a gweledigaeth yn gwella dros y ddau arolwg byr nesaf.",
    ),
    "Set up a standing practitioner forum with leaders": (
        "Sefydlu fforwm sefydlog i ymarferwyr gydag arweinwyr",
        "Crëwch fforwm rheolaidd lle mae staff rheng flaen yn cwrdd ag uwch arweinwyr, yn codi materion ac yn cael ymatebion ysgrifenedig gydag amserlenni ar gyfer gweithredu.",
        "Mae sianel sefydlog at arweinwyr, gyda gweithredu dilynol gweladwy, yn dangos bod barn staff yn llywio penderfyniadau yn hytrach na chael ei chasglu a’i hanghofio.",
        "Mae’r datganiad am gael llais mewn penderfyniadau yn gwella dros y ddau arolwg byr nesaf.",
    ),
    "Stop expecting replies outside working hours": (
        "Peidio â disgwyl atebion y tu allan i oriau gwaith",
        "Cytunwch nad oes disgwyl i neb ddarllen nac ateb e-byst na negeseuon y tu allan i’w oriau gwaith, gyda rheolwyr yn amserlennu eu negeseuon eu hunain i gyrraedd yn ystod amser gwaith.",
        "Mae cyswllt cyson y tu allan i oriau yn cymylu’r ffin rhwng gwaith a chartref ac mae’n ffynhonnell straen gydnabyddedig; mae normau tîm clir yn cael gwared ar y pwysau i fod ar gael bob amser.",
        "Mae’r datganiad am gydbwysedd rhwng gwaith a bywyd yn y maes Llesiant yn codi yn yr arolwg byr nesaf.",
    ),
    "Make time off in lieu easy to take": (
        "Ei gwneud yn hawdd cymryd amser i ffwrdd yn lle oriau ychwanegol",
        "Cofnodwch yr oriau ychwanegol a weithiwyd ar ôl ymweliadau hwyr, diwrnodau llys neu ddyletswydd, a gwnewch yn siŵr bod yr amser yn cael ei gymryd o fewn mis, gyda’r rheolwr yn trefnu cyflenwi.",
        "Weithiau ni ellir osgoi diwrnodau hir mewn gwaith statudol; mae amser adfer dibynadwy yn eu hatal rhag troi’n orweithio cronig.",
        "Mae’r datganiad am gydbwysedd rhwng gwaith a bywyd yn gwella ac mae diwrnodau salwch fesul CALl yn gostwng dros y ddau chwarter nesaf.",
    ),
    "Complete a work-related stress risk assessment": (
        "Cwblhau asesiad risg o straen sy’n gysylltiedig â gwaith",
        "Cynhaliwch asesiad risg straen ar lefel tîm gyda staff, gan nodi’r prif bwysau yn y gweithle a chytuno ar y camau y bydd y gwasanaeth yn eu cymryd ar bob un.",
        "Mae trin straen fel perygl yn y gweithle i’w asesu a’i leihau yn rhoi’r cyfrifoldeb ar amodau gwaith yn hytrach nag ar staff unigol.",
        "Mae’r datganiad bod y sefydliad yn cymryd straen o ddifrif yn y maes Llesiant yn codi yn yr arolwg byr nesaf.",
    ),
    "Offer flexible and compressed working patterns": (
        "Cynnig patrymau gweithio hyblyg a chywasgedig",
        "Sicrhewch fod oriau hyblyg, rhan-amser a chywasgedig ar gael ar draws timau, gan gynllunio rotâu dyletswydd o’u cwmpas yn hytrach na phenderfynu ar geisiadau fesul un.",
        "Mae hyblygrwydd yn helpu pobl, yn enwedig y rhai â chyfrifoldebau gofalu, i aros mewn gwaith statudol yn hytrach na gadael am rolau asiantaeth neu yrfaoedd eraill.",
        "Mae trosiant yn gostwng ac mae’r datganiad am gydbwysedd rhwng gwaith a bywyd yn gwella dros y flwyddyn ganlynol.",
    ),
    "Review sickness absence patterns by team": (
        "Adolygu patrymau absenoldeb salwch fesul tîm",
        "Adolygwch absenoldeb salwch ac absenoldeb yn sgil straen fesul tîm bob chwarter, a thrinwch glystyrau fel ysgogiad i edrych ar lwyth gwaith, goruchwyliaeth a diogelwch yn y tîm hwnnw.",
        "Mae patrymau absenoldeb fel arfer yn cyfeirio at amodau gwaith yn hytrach nag at unigolion; mae eu hadolygu ar lefel tîm yn cyfeirio camau at yr achos heb fai.",
        "Mae diwrnodau salwch fesul CALl yn gostwng yn y timau a adolygwyd dros y flwyddyn ganlynol.",
    ),
}


def load(apps, schema_editor):
    Intervention = apps.get_model("actions", "Intervention")
    InterventionText = apps.get_model("actions", "InterventionText")
    InterventionText.objects.bulk_create(
        [
            InterventionText(
                intervention=intervention,
                language="cy",
                title=WELSH[intervention.title][0],
                what=WELSH[intervention.title][1],
                why=WELSH[intervention.title][2],
                measure=WELSH[intervention.title][3],
            )
            for intervention in Intervention.objects.filter(organisation=None, title__in=list(WELSH))
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("actions", "InterventionText").objects.filter(
        intervention__organisation=None, language="cy"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0004_intervention_texts")]

    operations = [migrations.RunPython(load, unload)]
