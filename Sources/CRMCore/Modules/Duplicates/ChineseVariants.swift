/// Traditional Chinese characters common in names, with their simplified forms, so that
/// 陳偉 and 陈伟 are found to be the same name. A small table (306 characters: the
/// common surnames and given-name characters), not a full converter.
public enum ChineseVariants {
    /// "陳陈 …": each pair is a traditional character and its simplified form.
    static let pairs: [String] = [
        "偉伟 傑杰 傳传 劉刘 劍剑 區区 吳吴 喬乔 單单 嘯啸 嚴严 國国 塗涂 壽寿 婭娅 嬌娇",
        "孫孙 寶宝 廣广 廬庐 張张 強强 彥彦 從从 復复 愛爱 慶庆 懷怀 戰战 揚扬 擁拥 斕斓",
        "於于 曆历 曉晓 書书 會会 東东 楊杨 楨桢 業业 榮荣 構构 樂乐 樓楼 樹树 橋桥 檢检",
        "權权 歐欧 歡欢 歲岁 歷历 氣气 湯汤 滿满 漢汉 潔洁 潤润 濤涛 濱滨 瀟潇 熾炽 燦灿",
        "爍烁 爾尔 猶犹 獻献 瑩莹 璣玑 環环 瓊琼 產产 畢毕 畫画 療疗 發发 盤盘 盧卢 碩硕",
        "礎础 祿禄 禪禅 禮礼 穎颖 穩稳 競竞 筆笔 節节 範范 築筑 簡简 紀纪 紅红 紹绍 統统",
        "絲丝 經经 綠绿 維维 綱纲 網网 綺绮 緯纬 練练 縣县 總总 績绩 繼继 續续 羅罗 義义",
        "聖圣 聞闻 聰聪 聲声 聶聂 肅肃 臺台 與与 興兴 舉举 艦舰 艷艳 芻刍 莊庄 莖茎 華华",
        "萊莱 萬万 葉叶 葦苇 蓮莲 蔔卜 蔣蒋 蕭萧 薑姜 藍蓝 藝艺 蘆芦 蘇苏 蘊蕴 蘭兰 處处",
        "號号 衛卫 補补 裝装 見见 規规 視视 親亲 覺觉 觀观 訓训 記记 許许 詠咏 詩诗 誌志",
        "語语 誠诚 誼谊 調调 談谈 諸诸 謙谦 謝谢 譚谭 護护 譽誉 讓让 豐丰 豔艳 貝贝 貞贞",
        "財财 貴贵 費费 貿贸 賈贾 賓宾 賢贤 賴赖 贇赟 贊赞 趙赵 軍军 軒轩 軻轲 載载 輕轻",
        "輝辉 辦办 農农 連连 進进 運运 達达 遠远 適适 選选 邊边 郵邮 鄉乡 鄒邹 鄔邬 鄧邓",
        "鄭郑 鄰邻 鄺邝 醫医 釋释 釗钊 鈞钧 鈴铃 銀银 銘铭 鋒锋 錢钱 錦锦 錫锡 鍾钟 鎮镇",
        "鏡镜 鐘钟 長长 門门 閃闪 開开 間间 閩闽 閻阎 闊阔 關关 闞阚 陳陈 陸陆 陽阳 隨随",
        "險险 雖虽 雙双 雜杂 雞鸡 雲云 電电 霧雾 靈灵 靜静 韋韦 韓韩 韻韵 頂顶 項项 順顺",
        "頌颂 領领 頤颐 頻频 題题 顏颜 願愿 類类 顧顾 顯显 風风 飄飘 飛飞 餅饼 養养 餘余",
        "館馆 馬马 馮冯 駱骆 駿骏 騰腾 驊骅 驗验 體体 髮发 鬆松 鬥斗 魚鱼 魯鲁 鮑鲍 鯉鲤",
        "鳥鸟 鳳凤 鳴鸣 鴻鸿 鵑鹃 鵬鹏 鶯莺 鶴鹤 麗丽 麥麦 黃黄 點点 黨党 齊齐 齒齿 齡龄",
        "龍龙 龔龚",
    ]

    /// Simplified form by traditional character.
    public static let simplified: [Character: Character] = {
        var map: [Character: Character] = [:]
        for line in pairs {
            for pair in line.split(separator: " ") {
                let c = Array(pair)
                map[c[0]] = c[1]
            }
        }
        return map
    }()

    /// How many traditional characters the table knows.
    public static var count: Int { simplified.count }

    /// The text with every known traditional character replaced by its simplified form.
    public static func simplify(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x4E00 }) else { return text }
        return String(text.map { simplified[$0] ?? $0 })
    }
}
