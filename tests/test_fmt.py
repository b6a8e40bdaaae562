from ntm import fmt


def test_vietnamese_number_format():
    assert fmt.number(16.47) == "16,47"
    assert fmt.number(3706693) == "3.706.693"
    assert fmt.number(17.0) == "17"
    assert fmt.number(138081.7) == "138.081,7"
    assert fmt.number(17.625, 2) == "17,63"  # 141 / 8 in seed 000: reports round halves up
    assert fmt.number(1234.5, 1) == "1.234,5"
    assert fmt.number(None) == "–"
    assert fmt.number(float("nan")) == "–"


def test_english_number_format():
    assert fmt.number(3706693, lang="en") == "3,706,693"
    assert fmt.number(16.47, lang="en") == "16.47"


def test_money():
    assert fmt.money(3706693) == "3.706.693 triệu đồng"
    assert fmt.money(3706693, unit="ty") == "3.706,7 tỷ đồng"
    assert fmt.money(93376, lang="en") == "93,376 million VND"
