"""Passwords people here pick first: our own list (lower case), checked case-insensitively.

Written for this project from what leaked Chinese password lists are known to be full of: digit
runs, 我爱你 numerology (520, 1314, 7758521), pinyin of common surnames and names + digits, QQ and
admin defaults, and keyboard walks. Entries shorter than 8 characters are refused by the length
rule anyway; they stay here so the list can be read on its own.
"""
from __future__ import annotations

_WORDS = """
123456 1234567 12345678 123456789 1234567890 0123456789 987654321 9876543210 0987654321
111111 11111111 000000 00000000 666666 66666666 888888 88888888 999999 99999999 12341234
11223344 112233445566 123123123 123321123 12344321 123654789 147258369 147852369 159357258
741852963 789456123 321654987 31415926 20080808 19491001 19880808 19900101 20000101
5201314 52013145 520131400 5201314520 1314520 13145200 520520520 7758521 77585210 7758258
woaini woaini1314 woaini520 woaini521 woaini123 woaini1234 woaini5201314 1314woaini
aini1314 aini5201314 woaiwojia woainima woshishui wodemima nihao123 nihaoma1
iloveyou iloveyou1 iloveyou520 iloveyou1314 loveyou1 lovely123 love1314 love5201314
qq123456 qq5201314 qq111111 qq666666 qq888888 qq123456789 qwe123456
a123456 a1234567 a12345678 a123456789 aa123456 aa12345678 aa123456789 aa123123 a111111
a5201314 a1314520 abc123 abc1234 abc12345 abc123456 abc123456789 abcd1234 abcd12345
abcd123456 abc@123 abc@1234 a1b2c3d4 1a2b3c4d a1s2d3f4 abcdefg abcdefgh abcdefg1 abc123abc
123456a 1234567a 12345678a 123456789a 123456aa 123456abc 123456qq 1234abcd 12345abc
5201314a 123abc456 abc123abc123
password password1 password12 password123 password2023 password2024 passw0rd p@ssw0rd
p@ssword pa$$word pass1234 pass123456 mima1234 mima123456 mima8888
admin admin123 admin1234 admin12345 admin123456 admin888 admin8888 admin@123 admin@1234
admin2023 admin2024 administrator root1234 root123456 root@123 test1234 test123456
guest123 user1234 user123456 manager1 system123 super123 server123 welcome1 welcome123
zhang123 zhang123456 zhangsan zhangsan123 zhangwei zhangjie zhangmin zhangyan zhangli123
wang123456 wang1234 wangwei wangfang wangwu123 wangjing wangyang123
li123456 lisi1234 lisi123456 lijing123 liyang123 liu123456 liuyang123 chen123456
yang123456 zhao123456 huang123456 zhou123456 wu123456 xu123456 sun123456 ma123456
zhu123456 hu123456 guo123456 he123456 lin123456 gao123456 luo123456 song123456
xiaoming xiaoming123 xiaobai123 xiaoqiang zhongguo zhongguo123 china123 china1234
beijing beijing2008 shanghai huawei123 xiaomi123 baidu123 taobao123 weixin123 wechat123
alipay123 fazhi123 fazhi123456 pufa123456 sifa123456 dangyuan cunweihui
qwerty qwertyui qwertyuiop qwerty123 qwer1234 1234qwer qwerasdf qweasdzxc qweasd123
123qwe 123qweasd 123qweasdzxc qwe@123 qwe123qwe qazwsx qazwsx123 qazwsxedc 1qaz2wsx
1qaz2wsx3edc 1qazxsw2 1qaz@wsx !qaz2wsx 1qaz!qaz zaq12wsx zaq1xsw2 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y q1w2e3r4 q1w2e3r4t5 asdfghjk asdfghjkl asdf1234 asdfasdf asdf;lkj zxcvbnm
zxcvbnm1 zxcvbnm123 zxcv1234 zxcvbn123 poiuytrewq lkjhgfdsa mnbvcxz 1qazxcvb 2wsx3edc
iloveu123 sunshine princess football baseball monkey123 dragon123 superman batman123
letmein1 trustno1 michael1 shadow12 master123 computer internet whatever starwars
"""

COMMON_PASSWORDS: frozenset[str] = frozenset(_WORDS.split())
