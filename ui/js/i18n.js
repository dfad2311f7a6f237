// Every string the user reads, in English and Simplified Chinese.

/** @type {Record<string, Record<string, string>>} */
const TABLE = {
  en: {
    'app.title': 'Paddock',
    'add.label': 'Task IDs',
    'add.placeholder': 'Paste a task ID, or a log with task IDs in it',
    'add.button': 'Track',
    'add.summary': '{added} added, {tracked} already tracked, {rejected} not task IDs',
    'add.nothing': 'No task IDs found in what you pasted.',
    'lang.switch': 'Switch language',
    'theme.switch': 'Switch between light and dark',
    'settings.open': 'Settings',
    'settings.title': 'Settings',
    'settings.baseUrl': 'Gateway base URL',
    'settings.baseUrlEnv': 'ANYFAST_BASE_URL is set, so {url} is in use.',
    'settings.apiKey': 'API key',
    'settings.apiKeyPlaceholder': 'sk-…',
    'settings.saveKey': 'Save key',
    'settings.removeKey': 'Remove',
    'settings.language': 'Language',
    'settings.theme': 'Theme',
    'settings.system': 'Follow system',
    'settings.light': 'Light',
    'settings.dark': 'Dark',
    'settings.close': 'Close',
    'settings.save': 'Save',
    'settings.saved': 'Settings saved.',
    'key.keyring': 'Stored in the system keyring ({hint}).',
    'key.env': 'From the ANYFAST_API_KEY environment variable ({hint}).',
    'key.none': 'Not set.',
    'key.saved': 'Key saved in the system keyring.',
    'key.removed': 'Key removed from the system keyring.',
    'key.noKeyring': 'No system keyring was found. On Linux install and start a Secret Service such as gnome-keyring or KeePassXC; meanwhile the ANYFAST_API_KEY environment variable works.',
    'list.heading': 'Tasks',
    'list.empty.title': 'No tasks yet',
    'list.empty.hint': 'Paste a task ID (asyntask_…) above, or a whole log with IDs in it.',
    'detail.placeholder': 'Select a task to see its details.',
    'detail.refresh': 'Refresh',
    'detail.copyId': 'Copy ID',
    'detail.copyUrl': 'Copy video URL',
    'detail.copied': 'Copied.',
    'detail.rawShow': 'Show raw JSON',
    'detail.rawHide': 'Hide raw JSON',
    'detail.noData': 'The gateway has no data for this task yet.',
    'field.id': 'Task ID',
    'field.status': 'Status',
    'field.progress': 'Progress',
    'field.action': 'Action',
    'field.prompt': 'Prompt',
    'field.actualPrompt': 'Prompt as rewritten',
    'field.submitted': 'Submitted',
    'field.started': 'Started',
    'field.finished': 'Finished',
    'field.resolution': 'Resolution',
    'field.duration': 'Duration',
    'field.ratio': 'Aspect ratio',
    'field.video': 'Video link',
    'field.expires': 'Link expires',
    'field.failReason': 'Fail reason',
    'field.requestId': 'Request ID',
    'field.upstreamId': 'Upstream task',
    'field.upstreamStatus': 'Upstream status',
    'field.upstreamRequestId': 'Upstream request ID',
    'field.upstreamCode': 'Upstream error',
    'field.scheduled': 'Scheduled (upstream)',
    'field.ended': 'Ended (upstream)',
    'field.billed': 'Billed duration',
    'field.inputDuration': 'Input video duration',
    'field.videoCount': 'Videos',
    'status.not_started': 'Not started',
    'status.queued': 'Queued',
    'status.running': 'Running',
    'status.succeeded': 'Succeeded',
    'status.failed': 'Failed',
    'status.checking': 'Checking…',
    'status.error': 'Error',
    'time.justNow': 'just now',
    'time.minAgo': '{n} min ago',
    'time.hourAgo': '{n} h ago',
    'time.dayAgo': '{n} d ago',
    'time.left': '{t} left',
    'time.expired': 'expired',
    'time.hm': '{h} h {m} min',
    'time.m': '{m} min',
    'unit.seconds': '{n} s',
    'error.invalid_id': 'This is not a task ID.',
    'error.invalid_base_url': 'The base URL is not usable.',
    'error.missing_key': 'No API key is set. Enter your Anyfast API key in Settings.',
    'error.unauthorized': 'The gateway rejected the API key. Check the key in Settings.',
    'error.forbidden': 'The gateway refused access. Check the key\u2019s allowed IPs and group in the Anyfast console.',
    'error.not_found': 'The gateway does not know this task. Check the ID, and that it was created with this key and base URL.',
    'error.rate_limited': 'The gateway is limiting requests. Wait a moment and try again.',
    'error.server': 'The gateway had a server error. Wait a moment and try again.',
    'error.not_a_gateway': 'This base URL does not look like an Anyfast gateway. Check the base URL in Settings.',
    'error.bad_response': 'The gateway sent an answer Paddock cannot read. Try again; if it persists, check the base URL.',
    'error.timeout': 'The gateway did not answer in time. Check your connection and try again.',
    'error.network': 'Could not reach the gateway. Check your connection and the base URL.',
    'error.keyring_unavailable': 'No system keyring was found. Install and start a Secret Service such as gnome-keyring or KeePassXC; meanwhile ANYFAST_API_KEY works.',
    'error.keyring_locked': 'The system keyring is locked or refused access. Unlock it and try again.',
    'error.keyring_timeout': 'The system keyring did not answer in time. Check that it is running.',
    'error.keyring_failed': 'The system keyring failed.',
    'error.invalid_key': 'This is not a valid API key.',
    'error.disk': 'Could not save. Check that the folder is writable and the disk is not full.',
    'error.invalid_setting': 'This setting has an unknown value.',
    'error.unknown': 'Something went wrong.',
    'error.gatewaySays': 'The gateway said: {detail}',
  },
  zh: {
    'app.title': 'Paddock',
    'add.label': '任务 ID',
    'add.placeholder': '粘贴任务 ID，或包含任务 ID 的日志',
    'add.button': '跟踪',
    'add.summary': '新增 {added} 个，{tracked} 个已在跟踪，{rejected} 个不是任务 ID',
    'add.nothing': '粘贴的内容中没有找到任务 ID。',
    'lang.switch': '切换语言',
    'theme.switch': '切换浅色/深色',
    'settings.open': '设置',
    'settings.title': '设置',
    'settings.baseUrl': '网关地址',
    'settings.baseUrlEnv': '已设置环境变量 ANYFAST_BASE_URL，当前使用 {url}。',
    'settings.apiKey': 'API 密钥',
    'settings.apiKeyPlaceholder': 'sk-…',
    'settings.saveKey': '保存密钥',
    'settings.removeKey': '删除',
    'settings.language': '语言',
    'settings.theme': '主题',
    'settings.system': '跟随系统',
    'settings.light': '浅色',
    'settings.dark': '深色',
    'settings.close': '关闭',
    'settings.save': '保存',
    'settings.saved': '设置已保存。',
    'key.keyring': '已保存在系统钥匙串中（{hint}）。',
    'key.env': '来自环境变量 ANYFAST_API_KEY（{hint}）。',
    'key.none': '未设置。',
    'key.saved': '密钥已保存到系统钥匙串。',
    'key.removed': '已从系统钥匙串删除密钥。',
    'key.noKeyring': '未找到系统钥匙串服务。在 Linux 上请安装并启动 gnome-keyring 或 KeePassXC 等 Secret Service；在此之前可使用环境变量 ANYFAST_API_KEY。',
    'list.heading': '任务',
    'list.empty.title': '还没有任务',
    'list.empty.hint': '在上方粘贴任务 ID（asyntask_…），或粘贴一整段包含 ID 的日志。',
    'detail.placeholder': '选择一个任务查看详情。',
    'detail.refresh': '刷新',
    'detail.copyId': '复制 ID',
    'detail.copyUrl': '复制视频链接',
    'detail.copied': '已复制。',
    'detail.rawShow': '显示原始 JSON',
    'detail.rawHide': '隐藏原始 JSON',
    'detail.noData': '网关暂时没有此任务的数据。',
    'field.id': '任务 ID',
    'field.status': '状态',
    'field.progress': '进度',
    'field.action': '类型',
    'field.prompt': '提示词',
    'field.actualPrompt': '改写后的提示词',
    'field.submitted': '提交时间',
    'field.started': '开始时间',
    'field.finished': '完成时间',
    'field.resolution': '分辨率',
    'field.duration': '时长',
    'field.ratio': '画面比例',
    'field.video': '视频链接',
    'field.expires': '链接过期',
    'field.failReason': '失败原因',
    'field.requestId': '请求 ID',
    'field.upstreamId': '上游任务',
    'field.upstreamStatus': '上游状态',
    'field.upstreamRequestId': '上游请求 ID',
    'field.upstreamCode': '上游错误',
    'field.scheduled': '调度时间（上游）',
    'field.ended': '结束时间（上游）',
    'field.billed': '计费时长',
    'field.inputDuration': '输入视频时长',
    'field.videoCount': '视频数量',
    'status.not_started': '未开始',
    'status.queued': '排队中',
    'status.running': '生成中',
    'status.succeeded': '已成功',
    'status.failed': '已失败',
    'status.checking': '查询中…',
    'status.error': '出错',
    'time.justNow': '刚刚',
    'time.minAgo': '{n} 分钟前',
    'time.hourAgo': '{n} 小时前',
    'time.dayAgo': '{n} 天前',
    'time.left': '剩余 {t}',
    'time.expired': '已过期',
    'time.hm': '{h} 小时 {m} 分钟',
    'time.m': '{m} 分钟',
    'unit.seconds': '{n} 秒',
    'error.invalid_id': '这不是有效的任务 ID。',
    'error.invalid_base_url': '网关地址不可用。',
    'error.missing_key': '尚未设置 API 密钥。请在“设置”中输入 Anyfast API 密钥。',
    'error.unauthorized': '网关拒绝了此 API 密钥。请在“设置”中检查密钥。',
    'error.forbidden': '网关拒绝访问。请在 Anyfast 控制台检查密钥的 IP 白名单和分组。',
    'error.not_found': '网关找不到此任务。请检查 ID，以及它是否由此密钥和网关地址创建。',
    'error.rate_limited': '网关正在限流。请稍候再试。',
    'error.server': '网关服务器出错。请稍候再试。',
    'error.not_a_gateway': '此地址看起来不是 Anyfast 网关。请在“设置”中检查网关地址。',
    'error.bad_response': '网关的回复无法解析。请重试；如果一直如此，请检查网关地址。',
    'error.timeout': '网关没有及时响应。请检查网络后重试。',
    'error.network': '无法连接网关。请检查网络和网关地址。',
    'error.keyring_unavailable': '未找到系统钥匙串服务。请安装并启动 gnome-keyring 或 KeePassXC 等 Secret Service；在此之前可使用 ANYFAST_API_KEY。',
    'error.keyring_locked': '系统钥匙串已锁定或拒绝访问。请解锁后重试。',
    'error.keyring_timeout': '系统钥匙串没有及时响应。请确认它正在运行。',
    'error.keyring_failed': '系统钥匙串出错。',
    'error.invalid_key': '这不是有效的 API 密钥。',
    'error.disk': '无法保存。请检查文件夹是否可写、磁盘是否已满。',
    'error.invalid_setting': '此设置的值无效。',
    'error.unknown': '出了点问题。',
    'error.gatewaySays': '网关返回：{detail}',
  },
};

let current = 'en';

/** The language the system prefers, reduced to one Paddock has. */
export function systemLanguage() {
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  return langs.some((l) => String(l).toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

/** @param {string} choice 'system' | 'en' | 'zh' */
export function setLanguage(choice) {
  current = choice === 'en' || choice === 'zh' ? choice : systemLanguage();
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function language() {
  return current;
}

/**
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  const text = TABLE[current][key] ?? TABLE.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Whether the table has a string for this key (error codes the UI may not know). */
export function has(key) {
  return key in TABLE.en;
}

/** Fills `data-i18n`, `data-i18n-placeholder` and `data-i18n-title` under root. */
export function applyStatic(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    el.textContent = t(el.getAttribute('data-i18n'));
  });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
    el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
  });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => {
    el.setAttribute('title', t(el.getAttribute('data-i18n-title')));
  });
}

export const LANGUAGES = Object.keys(TABLE);
export const _table = TABLE;
