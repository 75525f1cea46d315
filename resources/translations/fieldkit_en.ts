<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
  <context>
    <name>Admin</name>
    <message>
      <location filename="fieldkit/ui/admin.py" line="56" />
      <source>备份…</source>
      <translation>Back up…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="58" />
      <source>把整个数据库加密备份到 U 盘或移动硬盘，读回校验；也可从备份恢复</source>
      <translation>Back up the whole store, encrypted, to a USB stick or drive and read it back; or restore a backup</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="63" />
      <source>用户管理…</source>
      <translation>Users…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="65" />
      <source>添加、停用、删除用户，重设口令，更换恢复码</source>
      <translation>Add, disable, remove users, reset passphrases, replace the recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="138" />
      <source>用户管理</source>
      <translation>Users</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="181" />
      <source>打印恢复码…</source>
      <translation>Print the recovery code…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="249" />
      <source>已添加用户</source>
      <translation>User added</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="258" />
      <source>临时口令（当面告诉该用户；他下次登录时须改成自己的）：</source>
      <translation>Temporary passphrase (tell the user in person; they must replace it at their next unlock):</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="284" />
      <source>已删除用户</source>
      <translation>User removed</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="288" />
      <source>已更换数据密钥</source>
      <translation>Data key rotated</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="316" />
      <source>添加用户</source>
      <translation>Add user</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="319" />
      <source>警号或拼音缩写，不要用姓名</source>
      <translation>Badge number or pinyin initials, not the person's name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="326" />
      <source>登录名</source>
      <translation>Login</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="327" />
      <source>显示名</source>
      <translation>Display name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="328" />
      <source>角色</source>
      <translation>Role</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="329" />
      <source>初始口令</source>
      <translation>Initial passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="117" />
      <source>该备份了</source>
      <translation>Backup due</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="145" />
      <source>状态</source>
      <translation>State</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="153" />
      <source>添加…</source>
      <translation>Add…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="153" />
      <source>停用</source>
      <translation>Disable</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="154" />
      <source>启用…</source>
      <translation>Enable…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="154" />
      <source>重设口令…</source>
      <translation>Reset passphrase…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="155" />
      <source>删除…</source>
      <translation>Delete…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="155" />
      <source>更换恢复码…</source>
      <translation>New recovery code…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="156" />
      <source>更换数据密钥</source>
      <translation>Rotate the data key</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="202" />
      <source>已停用</source>
      <translation>Disabled</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="255" />
      <source>已停用：该用户不能再登录</source>
      <translation>Disabled: the user can no longer unlock</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="267" />
      <source>已启用：该用户用临时口令登录后须设置新口令</source>
      <translation>Enabled: after unlocking with the temporary passphrase the user must set a new one</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="274" />
      <source>已重设：该用户用临时口令登录后须设置新口令</source>
      <translation>Reset: after unlocking with the temporary passphrase the user must set a new one</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="303" />
      <source>正在用新的数据密钥重新加密数据库…</source>
      <translation>Re-encrypting the store under a new data key…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="202" />
      <source>待改口令</source>
      <translation>Must change passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="202" />
      <source>正常</source>
      <translation>Active</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="264" />
      <source>启用用户</source>
      <translation>Enable user</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="271" />
      <source>重设口令</source>
      <translation>Reset passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="281" />
      <source>删除用户</source>
      <translation>Remove user</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="293" />
      <source>更换恢复码</source>
      <translation>Replace the recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="293" />
      <source>更换后旧恢复码立即作废。新恢复码只显示一次，请准备好纸笔。继续？</source>
      <translation>The old recovery code stops working at once. The new one is shown only once: have pen and paper ready. Continue?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="299" />
      <source>新恢复码（只显示这一次，请抄写后交所长保管；旧恢复码已作废）：
%1</source>
      <translation>New recovery code (shown only once; write it down for the chief to keep; the old code no longer works):
%1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/admin.py" line="281" />
      <source>删除用户 %1？其登记的记录仍保留其姓名。</source>
      <translation>Remove user %1? Their records keep their name.</translation>
    </message>
    <message>
      <source>把整个数据库加密备份到一个文件（U 盘或移动硬盘）</source>
      <translation type="vanished">Back up the whole store, encrypted, to one file (USB stick or external disk)</translation>
    </message>
    <message>
      <source>备份到</source>
      <translation type="vanished">Back up to</translation>
    </message>
    <message>
      <source>FieldKit 备份 (*.fkb)</source>
      <translation type="vanished">FieldKit backup (*.fkb)</translation>
    </message>
    <message>
      <source>正在备份…</source>
      <translation type="vanished">Backing up…</translation>
    </message>
    <message>
      <source>已备份：%1</source>
      <translation type="vanished">Backed up: %1</translation>
    </message>
  </context>
  <context>
    <name>App</name>
    <message>
      <location filename="fieldkit/ui/resources.py" line="128" />
      <source>FieldKit 警务工作包</source>
      <translation>FieldKit</translation>
    </message>
  </context>
  <context>
    <name>BackupScreen</name>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="73" />
      <source>备份与恢复</source>
      <translation>Backup and restore</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="85" />
      <source>备份到 U 盘或移动硬盘</source>
      <translation>Back up to a USB stick or drive</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="94" />
      <source>重新查找</source>
      <translation>Look again</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="97" />
      <source>选择文件夹…</source>
      <translation>Choose folder…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="99" />
      <source>U 盘没有列出时，或要备份到别的位置</source>
      <translation>When the stick is not listed, or to back up elsewhere</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="104" />
      <source>在该盘保留最近</source>
      <translation>Keep the last</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="106" />
      <source>更早的本机备份会从该盘删除；盘上的其他文件不动</source>
      <translation>Older backups of this store are deleted from the drive; other files are left alone</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="112" />
      <source> 份</source>
      <translation> backups</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="114" />
      <source>开始备份</source>
      <translation>Back up now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="126" />
      <source>从备份恢复</source>
      <translation>Restore from a backup</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="136" />
      <source>选择备份文件…</source>
      <translation>Choose backup file…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="146" />
      <source>检查</source>
      <translation>Check</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="148" />
      <source>核对口令，并列出备份中缺少的较新内容；不会改动数据库</source>
      <translation>Checks the passphrase and lists what the backup lacks; changes nothing</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="156" />
      <source>我知道恢复会丢弃上面列出的较新内容</source>
      <translation>I understand the newer data listed above is dropped</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="161" />
      <source>恢复并重启</source>
      <translation>Restore and restart</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="128" />
      <source>该盘上本机的备份（最新的在上）：</source>
      <translation>This store's backups on the drive (newest first):</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="140" />
      <source>所长口令</source>
      <translation>Chief's passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="210" />
      <source>没有找到 U 盘：请插入后点“重新查找”，或“选择文件夹…”</source>
      <translation>No USB stick found: insert one and click “Look again”, or “Choose folder…”</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="229" />
      <source>备份到哪个文件夹</source>
      <translation>Back up to which folder</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="262" />
      <source>已备份并读回校验通过</source>
      <translation>Backed up and read back: intact</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="281" />
      <source>正在备份并读回校验…</source>
      <translation>Backing up and reading it back…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="303" />
      <source>选择备份文件</source>
      <translation>Choose a backup file</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="303" />
      <source>FieldKit 备份 (*.fkbackup *.fkb)</source>
      <translation>FieldKit backups (*.fkbackup *.fkb)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="330" />
      <source>请先选择备份，并输入所长口令</source>
      <translation>Choose a backup and type the chief's passphrase first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="340" />
      <source>备份时间</source>
      <translation>Backup made</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="358" />
      <source>正在核对备份…</source>
      <translation>Checking the backup…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="185" />
      <source>本机还没有备份过。</source>
      <translation>This laptop has never been backed up.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="236" />
      <source>文件夹</source>
      <translation>Folder</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="262" />
      <source>文件</source>
      <translation>File</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="263" />
      <source>记录</source>
      <translation>Records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="263" />
      <source>附件</source>
      <translation>Attachments</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="275" />
      <source>备份已取消，没有留下文件</source>
      <translation>Backup cancelled; no file left behind</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="187" />
      <source>上次备份</source>
      <translation>Last backup</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="205" />
      <source>可用</source>
      <translation>Free</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="265" />
      <source>已删除较旧的备份</source>
      <translation>Older backups removed</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="345" />
      <source>恢复前的数据库会整体保留在数据目录的 replaced-… 文件夹中。</source>
      <translation>The store as it was is kept whole in a replaced-… folder of the data directory.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="349" />
      <source>备份不缺少当前数据库中的任何内容。</source>
      <translation>The backup lacks nothing the current store holds.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/backup_screen.py" line="343" />
      <source>备份中缺少当前数据库里较新的内容：</source>
      <translation>The backup lacks newer data of the current store:</translation>
    </message>
  </context>
  <context>
    <name>Capture</name>
    <message>
      <location filename="fieldkit/ui/capture/common.py" line="103" />
      <source>头顶</source>
      <translation>Top of head</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/common.py" line="104" />
      <source>双眼在此线以上</source>
      <translation>Eyes above this line</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/common.py" line="28" />
      <source>演示摄像头 %1（%2）</source>
      <translation>Demo camera %1 (%2)</translation>
    </message>
  </context>
  <context>
    <name>CaptureEditors</name>
    <message>
      <location filename="fieldkit/ui/capture/field_editors.py" line="97" />
      <source>拍照/导入…</source>
      <translation>Photo / import…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/field_editors.py" line="122" />
      <source>采集指纹…</source>
      <translation>Capture fingerprints…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/field_editors.py" line="63" />
      <source>已采集</source>
      <translation>Captured</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/field_editors.py" line="63" />
      <source>未采集</source>
      <translation>Not captured</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/field_editors.py" line="107" />
      <source>采集照片和指纹…</source>
      <translation>Photo and fingerprints…</translation>
    </message>
  </context>
  <context>
    <name>CardReader</name>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="42" />
      <source>已读取证件照片</source>
      <translation>card photo read</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="43" />
      <source>未配置照片解码库（WLT），证件照片无法显示</source>
      <translation>no photo decoder (WLT) is configured, so the card photo cannot be shown</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="44" />
      <source>证件照片解码失败</source>
      <translation>the card photo could not be decoded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="44" />
      <source>证件中无照片</source>
      <translation>the card holds no photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="79" />
      <source>读取身份证</source>
      <translation>Read ID card</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="91" />
      <source>取消读卡</source>
      <translation>Cancel reading</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="92" />
      <source>正在连接身份证阅读器…</source>
      <translation>Connecting to the ID-card reader…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="135" />
      <source>（此人已登记，将使用已有档案）</source>
      <translation>(already registered; the existing record will be used)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="80" />
      <source>演示设备</source>
      <translation>demo devices</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="131" />
      <source>已读取：%1</source>
      <translation>Read: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="133" />
      <source>演示卡，不是真实证件。</source>
      <translation>Demo card, not a real ID card. </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="144" />
      <source>已取消读卡</source>
      <translation>Card reading cancelled</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/card_reader.py" line="146" />
      <source>；也可以手工录入</source>
      <translation>; you can also type it in</translation>
    </message>
  </context>
  <context>
    <name>Charts</name>
    <message>
      <location filename="fieldkit/ui/station/charts.py" line="163" />
      <source>暂无数据</source>
      <translation>No data</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/charts.py" line="209" />
      <source>本月至今</source>
      <translation>To date</translation>
    </message>
  </context>
  <context>
    <name>Conflicts</name>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="42" />
      <source>（空）</source>
      <translation>(empty)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="73" />
      <source>同步冲突</source>
      <translation>Sync conflicts</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="88" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="119" />
      <source>删除与修改冲突</source>
      <translation>Deleted here, changed there</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="119" />
      <source>同一项被两人修改</source>
      <translation>Same field changed by two people</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="140" />
      <source>查看记录</source>
      <translation>Open record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="107" />
      <source>没有需要处理的冲突。</source>
      <translation>No conflicts to resolve.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="55" />
      <source>（已删除）</source>
      <translation>(deleted)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="109" />
      <source>以下 %1 处在两台电脑上被同时修改。请逐一选择保留哪个值；选择后会在下次同步时发给其他电脑。</source>
      <translation>These %1 fields were changed on two computers at once. Choose which value to keep for each; your choice goes to the other computers at the next sync.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="124" />
      <source>本机的值</source>
      <translation>This laptop's value</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="124" />
      <source>对方的值</source>
      <translation>Their value</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="131" />
      <source>保留本机的值</source>
      <translation>Keep this laptop's value</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="131" />
      <source>采用对方的值</source>
      <translation>Take their value</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/conflicts_view.py" line="125" />
      <source>（当前显示）</source>
      <translation>(shown now)</translation>
    </message>
  </context>
  <context>
    <name>CsvImport</name>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="49" />
      <source>导入前检查</source>
      <translation>Check before importing</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="70" />
      <source>只导入没问题的行</source>
      <translation>Import only the good rows</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="70" />
      <source>导入</source>
      <translation>Import</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="96" />
      <source>选择要导入的 CSV 文件</source>
      <translation>Choose a CSV file to import</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="96" />
      <source>CSV 文件 (*.csv *.fkcsv);;所有文件 (*)</source>
      <translation>CSV files (*.csv *.fkcsv);;All files (*)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="137" />
      <source>导入完成</source>
      <translation>Import finished</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="102" />
      <source>加密的文件</source>
      <translation>Sealed file</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="103" />
      <source>这个文件是加密导出的，请输入导出时设的口令：</source>
      <translation>This file is a sealed export; type the passphrase it was sealed with:</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="119" />
      <source>正在检查 %1…</source>
      <translation>Checking %1…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="130" />
      <source>正在导入 %1…</source>
      <translation>Importing %1…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="60" />
      <source>第 %1 行</source>
      <translation>Line %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="63" />
      <source>……还有 %1 处</source>
      <translation>… and %1 more</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="64" />
      <source>第 %1 行 %2 命中布控名单：%3</source>
      <translation>Line %1: %2 is on the watch list: %3</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="52" />
      <source>将新增 %1 条，更新 %2 条，未变 %3 条；有问题 %4 行。什么都还没有导入。</source>
      <translation>%1 would be added, %2 updated, %3 unchanged; %4 rows have problems. Nothing has been imported yet.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/csv_import.py" line="135" />
      <source>新增 %1 条，更新 %2 条，未变 %3 条，跳过 %4 条。</source>
      <translation>%1 added, %2 updated, %3 unchanged, %4 skipped.</translation>
    </message>
    <message>
      <source>导入前检查发现问题</source>
      <translation type="vanished">Problems found before importing</translation>
    </message>
    <message>
      <source>有 %1 处问题，什么都还没有导入。</source>
      <translation type="vanished">%1 problems; nothing has been imported.</translation>
    </message>
    <message>
      <source>新增 %1 条，更新 %2 条，跳过 %3 条。</source>
      <translation type="vanished">%1 added, %2 updated, %3 skipped.</translation>
    </message>
  </context>
  <context>
    <name>DeleteDialog</name>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="42" />
      <source>删除记录</source>
      <translation>Delete record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="66" />
      <source>如：重复登记、录入错误、已迁出并注销</source>
      <translation>e.g. entered twice, typing mistake, moved away and deregistered</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="72" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="45" />
      <source>确定删除这条记录吗？删除后可以在回收站恢复，修改记录保留。</source>
      <translation>Delete this record? It can be restored from the trash; its history is kept.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="69" />
      <source>仍然删除</source>
      <translation>Delete anyway</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="69" />
      <source>删除</source>
      <translation>Delete</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="62" />
      <source>删除原因（必填）</source>
      <translation>Reason for deleting (required)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/delete_dialog.py" line="46" />
      <source>确定删除选中的 %1 条记录吗？删除后可以在回收站恢复，修改记录保留。</source>
      <translation>Delete the %1 selected records? They can be restored from the trash; their history is kept.</translation>
    </message>
  </context>
  <context>
    <name>DoorplatePrint</name>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="51" />
      <source>打印门牌</source>
      <translation>Print doorplates</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="59" />
      <source>自然村，留空为全村</source>
      <translation>Hamlet; leave empty for the whole village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="62" />
      <source>楼栋，留空为全部</source>
      <translation>Building; leave empty for all</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="65" />
      <source>选择…</source>
      <translation>Choose…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="72" />
      <source>村（社区）</source>
      <translation>Village (community)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="73" />
      <source>自然村</source>
      <translation>Hamlet</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="74" />
      <source>楼栋</source>
      <translation>Building</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="75" />
      <source>保存到</source>
      <translation>Save to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="80" />
      <source>生成门牌</source>
      <translation>Make doorplates</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="84" />
      <source>打开所在文件夹</source>
      <translation>Open folder</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="87" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="107" />
      <source>保存门牌</source>
      <translation>Save doorplates</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="125" />
      <source>正在生成门牌…</source>
      <translation>Making doorplates…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="97" />
      <source>A4 纸每页 8 块，带裁切线；二维码用本所签名密钥签名，扫码可辨真伪。按 300 dpi 打印。</source>
      <translation>Eight plates per A4 page with cut marks; each QR code is signed with this station's key, so a scan tells a genuine plate from a forged one. Print at 300 dpi.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="115" />
      <source>请先选择村（社区）</source>
      <translation>Choose a village (community) first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="118" />
      <source>请选择保存位置</source>
      <translation>Choose where to save</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="145" />
      <source>已取消，未生成文件</source>
      <translation>Cancelled; no file was written</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="63" />
      <source>门牌.pdf</source>
      <translation>doorplates.pdf</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="121" />
      <source>保存位置所在的文件夹不存在：%1</source>
      <translation>The folder does not exist: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/print_dialog.py" line="137" />
      <source>已生成 %1 块门牌，共 %2 页：%3</source>
      <translation>%1 doorplates on %2 pages: %3</translation>
    </message>
  </context>
  <context>
    <name>Editors</name>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="153" />
      <source>如 1990-05-01</source>
      <translation>e.g. 1990-05-01</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="158" />
      <source>从日历选择</source>
      <translation>Pick from a calendar</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="208" />
      <source>（请选择）</source>
      <translation>(choose)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="262" />
      <source>是</source>
      <translation>Yes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="185" />
      <source>日期格式应为 年-月-日，如 1990-05-01</source>
      <translation>Dates are YYYY-MM-DD, e.g. 1990-05-01</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="352" />
      <source>纬度</source>
      <translation>Latitude</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="352" />
      <source>经度</source>
      <translation>Longitude</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="290" />
      <source>如 350102199003071234</source>
      <translation>e.g. 350102199003071234</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="290" />
      <source>如 闽A12345</source>
      <translation>e.g. 闽A12345</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="291" />
      <source>如 13800000000</source>
      <translation>e.g. 13800000000</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="291" />
      <source>18 位统一社会信用代码</source>
      <translation>18-character unified social credit code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="329" />
      <source>男</source>
      <translation>Male</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/editors.py" line="329" />
      <source>女</source>
      <translation>Female</translation>
    </message>
    <message>
      <source>需要摄像头</source>
      <translation type="vanished">Needs a camera</translation>
    </message>
    <message>
      <source>需要指纹仪</source>
      <translation type="vanished">Needs a fingerprint reader</translation>
    </message>
    <message>
      <source>：请在“证件照/指纹采集”窗口采集，本表单不能直接录入</source>
      <translation type="vanished">: capture it in the ID photo / fingerprint window; this form cannot take it directly</translation>
    </message>
    <message>
      <source>已采集（%1…）</source>
      <translation type="vanished">Captured (%1…)</translation>
    </message>
    <message>
      <source>年-月-日，如 1990-05-01</source>
      <translation type="vanished">YYYY-MM-DD, e.g. 1990-05-01</translation>
    </message>
  </context>
  <context>
    <name>Enroll</name>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="48" />
      <source>登记到同步服务器</source>
      <translation>Enroll with the sync server</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="50" />
      <source>请把所长给的登记二维码内容粘贴到下面（用扫码枪扫入也可以）；或者填写服务器地址和一次性登记码。</source>
      <translation>Paste the enrollment QR code from the chief below (a barcode scanner works too), or type the server address and the one-time code.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="59" />
      <source>二维码里已含登记码时可不填</source>
      <translation>Not needed when the QR code contains it</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="62" />
      <source>二维码里已含证书指纹时可不填</source>
      <translation>Not needed when the QR code includes the certificate fingerprint</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="64" />
      <source>二维码内容或服务器地址</source>
      <translation>QR code content or server address</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="65" />
      <source>登记码</source>
      <translation>Enrollment code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="66" />
      <source>服务器证书指纹</source>
      <translation>Server certificate fingerprint</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="71" />
      <source>登记</source>
      <translation>Enroll</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="72" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="91" />
      <source>正在连接服务器…</source>
      <translation>Connecting to the server…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="102" />
      <source>改登记到新服务器</source>
      <translation>Enroll with another server</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="105" />
      <source>确认改登记</source>
      <translation>Replace enrollment</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="88" />
      <source>请先填写二维码内容或服务器地址</source>
      <translation>Fill in the QR code content or the server address first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="101" />
      <source>证书指纹：%1</source>
      <translation>Certificate fingerprint: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="115" />
      <source>已登记：%1</source>
      <translation>Enrolled: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="100" />
      <source>新服务器：%1</source>
      <translation>New server: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="97" />
      <source>本机已登记到另一个服务器。请核对证书指纹后再确认改登记：</source>
      <translation>This laptop is enrolled with another server. Compare the certificate fingerprints before replacing the enrollment:</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/enroll_dialog.py" line="98" />
      <source>原服务器：%1</source>
      <translation>Current server: %1</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <location filename="fieldkit/ui/errors.py" line="84" />
      <source>无法完成</source>
      <translation>Could not complete</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/errors.py" line="104" />
      <source>程序出错</source>
      <translation>Program error</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/errors.py" line="107" />
      <source>程序遇到了一个意外错误，刚才的操作没有完成。已经写入日志。
请点“复制详细信息”，把内容发给维护人员。</source>
      <translation>FieldKit hit an unexpected error and the last action did not complete. It has been logged.
Press "Copy details" and send them to the maintainer.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/errors.py" line="116" />
      <source>复制详细信息</source>
      <translation>Copy details</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/errors.py" line="126" />
      <source>已复制</source>
      <translation>Copied</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/errors.py" line="137" />
      <source>草稿未能保存：%1</source>
      <translation>Draft not saved: %1</translation>
    </message>
  </context>
  <context>
    <name>FingerprintCapture</name>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="54" />
      <source>采集指纹</source>
      <translation>Capture fingerprints</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="71" />
      <source>正在连接指纹仪…</source>
      <translation>Connecting to the fingerprint reader…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="83" />
      <source>开始采集</source>
      <translation>Start capture</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="85" />
      <source>取消采集</source>
      <translation>Cancel capture</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="87" />
      <source>此手指缺失</source>
      <translation>Finger missing</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="89" />
      <source>此手指受伤</source>
      <translation>Finger injured</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="91" />
      <source>完成</source>
      <translation>Done</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="93" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="106" />
      <source>已采集：</source>
      <translation>Captured: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="137" />
      <source>重新连接</source>
      <translation>Reconnect</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="218" />
      <source>已取消采集；可点“开始采集”继续</source>
      <translation>Capture cancelled; press "Start capture" to continue</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="129" />
      <source>指纹仪已连接：%1</source>
      <translation>Fingerprint reader connected: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/fingerprint_dialog.py" line="202" />
      <source>不合格：%1</source>
      <translation>Not acceptable: %1</translation>
    </message>
  </context>
  <context>
    <name>Form</name>
    <message>
      <location filename="fieldkit/ui/forms/form_widget.py" line="157" />
      <source>由其他项自动计算，不能填写</source>
      <translation>Calculated from other fields; cannot be typed</translation>
    </message>
  </context>
  <context>
    <name>FormSetBanner</name>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="45" />
      <source>平台发布的新表单</source>
      <translation>New forms from the platform</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="48" />
      <source>程序自带的表单</source>
      <translation>the forms shipped with the program</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="69" />
      <source>接受并安装</source>
      <translation>Accept and install</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="84" />
      <source>新表单</source>
      <translation>New forms</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="84" />
      <source>查看变化…</source>
      <translation>Review changes…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="56" />
      <source>（只有文字说明的改动，数据不受影响）</source>
      <translation>(Wording changes only; no data is affected)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="60" />
      <source>其中有改动涉及已录入的数据（每条后面写明了需要的迁移）：安装前请先做好备份。</source>
      <translation>Some changes touch data already entered (each names the migration it needs): make a backup before installing.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="65" />
      <source>只有所长可以安装新表单，请联系所长。</source>
      <translation>Only the station chief can install new forms: please contact the chief.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="72" />
      <source>以后再说</source>
      <translation>Later</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="72" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="108" />
      <source>：请所长查看并安装</source>
      <translation>: the chief should review and install them</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="133" />
      <source>正在安装新表单…</source>
      <translation>Installing the new forms…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="48" />
      <source>第 %1 版</source>
      <translation>version %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="106" />
      <source>平台发布了新的表单（第 %1 版）</source>
      <translation>The platform published new forms (version %1)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/formset_banner.py" line="50" />
      <source>县局（%1）签发的表单第 %2 版，本机现在用的是%3。安装后会有这些变化：</source>
      <translation>Form set version %2, signed by the county (%1); this laptop runs %3. Installing it changes:</translation>
    </message>
  </context>
  <context>
    <name>GlobalSearch</name>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="58" />
      <source>全局查找</source>
      <translation>Search everywhere</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="65" />
      <source>身份证号或后6位、车牌（可不输省份简称）、电话、门牌编码、姓名或拼音首字母</source>
      <translation>ID number or its last 6 digits, plate (province optional), phone, doorplate code, name or pinyin initials</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="70" />
      <source>全部村（社区）</source>
      <translation>All villages</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="71" />
      <source>选了村，只查这个村的记录，身份证号输后4位即可</source>
      <translation>With a village chosen, only its records are searched and the last 4 digits of an ID number are enough</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="81" />
      <source>输入后自动查找；↓ 进入结果，回车打开</source>
      <translation>Results appear as you type; ↓ to the results, Enter opens</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="118" />
      <source>正在查找…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="39" />
      <source>身份证号</source>
      <translation>ID number</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="39" />
      <source>身份证号后几位</source>
      <translation>End of ID number</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="39" />
      <source>车牌</source>
      <translation>Plate</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="40" />
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="40" />
      <source>编码</source>
      <translation>Code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="40" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="40" />
      <source>拼音首字母</source>
      <translation>Pinyin initials</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="41" />
      <source>拼音</source>
      <translation>Pinyin</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="77" />
      <source>记录</source>
      <translation>Record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="77" />
      <source>模块</source>
      <translation>Module</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="77" />
      <source>匹配</source>
      <translation>Matched</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="141" />
      <source>没有找到：身份证号后4–5位只在选定的村里查找，请先选村，或输入后6位</source>
      <translation>Nothing found: the last 4–5 digits of an ID number are looked up only in a chosen village. Choose one, or type the last 6</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="143" />
      <source>没有找到</source>
      <translation>Nothing found</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/search_dialog.py" line="139" />
      <source>找到 %1 条</source>
      <translation>%1 found</translation>
    </message>
    <message>
      <source>身份证号、车牌、电话、门牌编码、姓名或拼音首字母</source>
      <translation type="vanished">ID number, plate, phone, doorplate code, name or pinyin initials</translation>
    </message>
  </context>
  <context>
    <name>HouseholdCard</name>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="67" />
      <source>无</source>
      <translation>None</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="111" />
      <source>打印</source>
      <translation>Print</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="125" />
      <source>登记走访</source>
      <translation>Record a visit</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="126" />
      <source>新增人员</source>
      <translation>Add a person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="128" />
      <source>登记新租客</source>
      <translation>Register a new tenant</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="139" />
      <source>放弃</source>
      <translation>Discard</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="140" />
      <source>提交</source>
      <translation>Submit</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="148" />
      <source>住户</source>
      <translation>Residents</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="165" />
      <source>出租与租客</source>
      <translation>Rental and tenants</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="223" />
      <source>（门牌已核验）</source>
      <translation>(doorplate verified)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="223" />
      <source>（未经签名核验）</source>
      <translation>(signature not verified)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="224" />
      <source>未登记</source>
      <translation>Not registered</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="466" />
      <source>没有待提交的内容</source>
      <translation>Nothing to submit</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="62" />
      <source>在册</source>
      <translation>Present</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="62" />
      <source>迁出</source>
      <translation>Moved out</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="62" />
      <source>死亡</source>
      <translation>Deceased</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="151" />
      <source>迁出/死亡日期：</source>
      <translation>Date moved out / died: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="159" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="159" />
      <source>性别</source>
      <translation>Sex</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="159" />
      <source>出生日期</source>
      <translation>Date of birth</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="159" />
      <source>与户主关系</source>
      <translation>Relation to head</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="160" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="160" />
      <source>标记</source>
      <translation>Mark</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="170" />
      <source>公民身份号码</source>
      <translation>ID number</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="170" />
      <source>联系电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="170" />
      <source>入住日期</source>
      <translation>Moved in</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="171" />
      <source>已搬离</source>
      <translation>Moved away</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="227" />
      <source>布控名单预警：</source>
      <translation>Watch-list alert: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="243" />
      <source>车辆：</source>
      <translation>Vehicles: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="245" />
      <source>重点人员：</source>
      <translation>Key persons: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="248" />
      <source>未办结事项：</source>
      <translation>Open matters: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="249" />
      <source>最近走访：</source>
      <translation>Recent visits: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="260" />
      <source>（待提交）</source>
      <translation>(to submit)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="457" />
      <source>走访记录 1 条</source>
      <translation>1 visit record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="466" />
      <source>待提交：</source>
      <translation>To submit: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="499" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="231" />
      <source>出租状态：%1</source>
      <translation>Rental status: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="231" />
      <source>未出租</source>
      <translation>Not rented</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="257" />
      <source>（租客）</source>
      <translation>(tenant)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="226" />
      <source>户主：%1</source>
      <translation>Head of household: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="246" />
      <source>事件：%1</source>
      <translation>Event: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="247" />
      <source>纠纷：%1</source>
      <translation>Dispute: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="327" />
      <source>%1 已在本户登记</source>
      <translation>%1 is already registered in this household</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="459" />
      <source>新增人员 %1 人</source>
      <translation>%1 new people</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="461" />
      <source>状态变更 %1 人</source>
      <translation>%1 status changes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="463" />
      <source>租客搬离 %1 人</source>
      <translation>%1 tenants moved away</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="465" />
      <source>新租客 %1 人</source>
      <translation>%1 new tenants</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="468" />
      <source>已恢复上次未提交的内容（%1 保存）。</source>
      <translation>Restored the entries not yet submitted (saved at %1). </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="512" />
      <source>未保存，请改正：</source>
      <translation>Not saved; please correct: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="261" />
      <source>户主</source>
      <translation>Head of household</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="524" />
      <source>已保存：新建 %1 条，更新 %2 条</source>
      <translation>Saved: %1 created, %2 updated</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="531" />
      <source>%1（%2）：%3</source>
      <translation>%1 (%2): %3</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/card.py" line="225" />
      <source>地址编码 %1 %2</source>
      <translation>Address code %1 %2</translation>
    </message>
    <message>
      <source>出租状态：</source>
      <translation type="vanished">Rental status: </translation>
    </message>
    <message>
      <source>车辆</source>
      <translation type="vanished">Vehicles</translation>
    </message>
    <message>
      <source>重点人员</source>
      <translation type="vanished">Key persons</translation>
    </message>
    <message>
      <source>未办结事项</source>
      <translation type="vanished">Open matters</translation>
    </message>
    <message>
      <source>最近走访</source>
      <translation type="vanished">Latest visit</translation>
    </message>
    <message>
      <source>地址编码</source>
      <translation type="vanished">Address code</translation>
    </message>
    <message>
      <source>事件：</source>
      <translation type="vanished">Events: </translation>
    </message>
    <message>
      <source>纠纷：</source>
      <translation type="vanished">Disputes: </translation>
    </message>
  </context>
  <context>
    <name>HukouImport</name>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="67" />
      <source>本地登记为户籍人口，这次的户籍数据中没有；请核实（导入不会改动）</source>
      <translation>Registered here as a hukou resident but absent from this extract; please check (the import changes nothing)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="172" />
      <source>新增 %1 人，变更 %2 人，冲突 %3 人，户籍数据中没有 %4 人，无法导入 %5 行，一致 %6 人。还没有写入任何数据。</source>
      <translation>%1 new, %2 changed, %3 in conflict, %4 missing from the extract, %5 lines refused, %6 the same. Nothing has been written yet.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="48" />
      <source>新增人员</source>
      <translation>New person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="48" />
      <source>信息变更</source>
      <translation>Changed</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="48" />
      <source>与本地修改冲突</source>
      <translation>Conflicts with a local edit</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="49" />
      <source>户籍数据中没有</source>
      <translation>Missing from the extract</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="49" />
      <source>无法导入</source>
      <translation>Refused</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="76" />
      <source>（空）</source>
      <translation>(empty)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="97" />
      <source>户籍数据导入</source>
      <translation>Household registration import</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="101" />
      <source>选择省厅下发的户籍数据（CSV 或 XLSX），先比对，确认后才写入。</source>
      <translation>Choose the household-registration extract from the province (CSV or XLSX): it is compared first and written only once you accept.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="103" />
      <source>选择文件…</source>
      <translation>Choose file…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="128" />
      <source>接受勾选的行</source>
      <translation>Accept ticked lines</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="131" />
      <source>全部接受</source>
      <translation>Accept all</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="134" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="147" />
      <source>选择户籍数据文件</source>
      <translation>Choose the household-registration file</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="148" />
      <source>户籍数据 (*.csv *.xlsx);;所有文件 (*)</source>
      <translation>Household registration (*.csv *.xlsx);;All files (*)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="118" />
      <source>行</source>
      <translation>Line</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="118" />
      <source>类别</source>
      <translation>Kind</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="118" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="118" />
      <source>公民身份号码</source>
      <translation>Citizen ID number</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="118" />
      <source>变化</source>
      <translation>Changes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="162" />
      <source>文件</source>
      <translation>File</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="218" />
      <source>正在导入户籍数据…</source>
      <translation>Importing the household registration…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="80" />
      <source>%1（本地修改过）</source>
      <translation>%1 (edited here)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="176" />
      <source>（只列出前 %1 行；“全部接受”接受全部）</source>
      <translation> (only the first %1 lines are listed; “Accept all” takes every line)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="78" />
      <source>%1 → %2</source>
      <translation>%1 → %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="164" />
      <source>正在比对 %1…</source>
      <translation>Comparing %1…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/hukou_import.py" line="226" />
      <source>已导入：新增 %1 人，更新 %2 人，未写入 %3 行。</source>
      <translation>Imported: %1 new, %2 updated, %3 lines not written.</translation>
    </message>
  </context>
  <context>
    <name>LedgerDialog</name>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="89" />
      <source>导出台账</source>
      <translation>Export ledger</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="111" />
      <source>台账（模块）</source>
      <translation>Ledger (module)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="134" />
      <source>期间</source>
      <translation>Period</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="138" />
      <source>全部村（社区）</source>
      <translation>All villages</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="141" />
      <source>网格编号，留空为全部</source>
      <translation>Grid (empty = all)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="145" />
      <source>村（社区）/网格</source>
      <translation>Village / grid</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="149" />
      <source>民警 / 登记人</source>
      <translation>Officer / registered by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="153" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="167" />
      <source>格式</source>
      <translation>Format</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="172" />
      <source>导出口令（对方用它打开文件）</source>
      <translation>Export passphrase (the recipient opens the file with it)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="176" />
      <source>再输入一次</source>
      <translation>Again</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="182" />
      <source>加密口令</source>
      <translation>Passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="188" />
      <source>选择…</source>
      <translation>Choose…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="194" />
      <source>保存到</source>
      <translation>Save to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="196" />
      <source>XLSX、PDF 台账用于打印，不加密，请妥善保管；CSV 台账用导出口令加密。</source>
      <translation>XLSX and PDF ledgers are for printing and are not encrypted: keep them safe. CSV ledgers are sealed with the export passphrase.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="206" />
      <source>打开所在文件夹</source>
      <translation>Open the folder</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="211" />
      <source>导出</source>
      <translation>Export</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="215" />
      <source>停止导出</source>
      <translation>Stop export</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="219" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="261" />
      <source>全部状态</source>
      <translation>All statuses</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="316" />
      <source>Excel 表格 (*.xlsx)</source>
      <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="316" />
      <source>PDF 文件 (*.pdf)</source>
      <translation>PDF file (*.pdf)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="316" />
      <source>加密 CSV (*.csv)</source>
      <translation>Sealed CSV (*.csv)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="317" />
      <source>台账保存到</source>
      <translation>Save the ledger to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="329" />
      <source>期间的开始日期晚于结束日期</source>
      <translation>The period starts after it ends</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="331" />
      <source>请选择保存位置</source>
      <translation>Choose where to save</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="376" />
      <source>正在导出…</source>
      <translation>Exporting…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="455" />
      <source>正在停止…</source>
      <translation>Stopping…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="462" />
      <source>（已加密）</source>
      <translation>(sealed)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="116" />
      <source>本年</source>
      <translation>This year</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="116" />
      <source>本季度</source>
      <translation>This quarter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="116" />
      <source>本月</source>
      <translation>This month</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="117" />
      <source>上月</source>
      <translation>Last month</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="117" />
      <source>去年</source>
      <translation>Last year</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="117" />
      <source>全部（不限期间）</source>
      <translation>All (any period)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="118" />
      <source>自定义</source>
      <translation>Custom</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="131" />
      <source>至</source>
      <translation>to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="270" />
      <source>此台账没有民警字段</source>
      <translation>This ledger has no officer field</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="334" />
      <source>文件夹不存在：</source>
      <translation>Folder does not exist: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="337" />
      <source>CSV 台账须设置导出口令</source>
      <translation>A CSV ledger needs an export passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="339" />
      <source>两次输入的导出口令不一致</source>
      <translation>The two export passphrases differ</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="377" />
      <source>正在导出台账…</source>
      <translation>Exporting the ledger…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="478" />
      <source>已停止导出，未留下文件。</source>
      <translation>Export stopped; no file was left.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="158" />
      <source>XLSX 表格（打印）</source>
      <translation>XLSX workbook (printing)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="158" />
      <source>PDF（打印，A4）</source>
      <translation>PDF (printing, A4)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="158" />
      <source>CSV（加密）</source>
      <translation>CSV (sealed)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="420" />
      <source>您的角色不能以这种格式导出这本台账</source>
      <translation>Your role may not export this ledger in this format</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="461" />
      <source>，%1 页</source>
      <translation>, %1 pages</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="482" />
      <source>导出失败：</source>
      <translation>Export failed: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="269" />
      <source>按“%1”筛选，留空为全部</source>
      <translation>Filter by "%1" (empty = all)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="446" />
      <source>正在导出：%1 / %2 行</source>
      <translation>Exporting: %1 / %2 rows</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/ledger_dialog.py" line="463" />
      <source>已导出 %1 行%2%3：%4</source>
      <translation>Exported %1 rows%2%3: %4</translation>
    </message>
    <message>
      <source>_全部</source>
      <translation type="vanished">_All</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="102" />
      <source>新建</source>
      <translation>New</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="103" />
      <source>全局查找</source>
      <translation>Search everywhere</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="104" />
      <source>设置</source>
      <translation>Settings</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="105" />
      <source>锁定</source>
      <translation>Lock</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="106" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="107" />
      <source>回收站</source>
      <translation>Trash</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="108" />
      <source>关闭标签页</source>
      <translation>Close tab</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="110" />
      <source>工具栏</source>
      <translation>Toolbar</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="145" />
      <source>已解锁 · Ctrl+L 锁定</source>
      <translation>Unlocked · Ctrl+L locks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="275" />
      <source>正在打开…</source>
      <translation>Opening…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="166" />
      <source>演示设备：读卡、拍照、指纹均为模拟</source>
      <translation>Demo devices: card reader, camera and fingerprint reader are simulated</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/main_window.py" line="183" />
      <source>处理中…</source>
      <translation>Working…</translation>
    </message>
    <message>
      <source>FieldKit 警务工作包</source>
      <translation type="vanished">FieldKit</translation>
    </message>
    <message>
      <source>这些改动只保存在本机，还没有上传。</source>
      <translation type="vanished">These changes exist only on this laptop; they have not been uploaded.</translation>
    </message>
    <message>
      <source>待同步：%1 条（同步尚未启用）</source>
      <translation type="vanished">Pending sync: %1 (sync not enabled yet)</translation>
    </message>
    <message>
      <source>待同步：0（同步尚未启用）</source>
      <translation type="vanished">Pending sync: 0 (sync not enabled yet)</translation>
    </message>
  </context>
  <context>
    <name>ModuleView</name>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="102" />
      <source>查找：身份证号、车牌、电话、姓名或拼音首字母（如 zw）</source>
      <translation>Find: ID number, plate, phone, name or pinyin initials (e.g. zw)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="104" />
      <source>新建</source>
      <translation>New</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="106" />
      <source>新建一条记录（Ctrl+N）</source>
      <translation>New record (Ctrl+N)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="109" />
      <source>导入…</source>
      <translation>Import…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="111" />
      <source>从 CSV 文件导入（先检查每一行，有问题时什么都不写）</source>
      <translation>Import from a CSV file (every row is checked first; nothing is written while any row has a problem)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="114" />
      <source>删除…</source>
      <translation>Delete…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="116" />
      <source>删除选中的记录（问明原因；可在回收站恢复）</source>
      <translation>Delete the selected records (a reason is asked; they can be restored from the trash)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="122" />
      <source>户籍导入…</source>
      <translation>Hukou import…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="124" />
      <source>导入省厅下发的户籍数据：按公民身份号码比对，逐行确认后写入</source>
      <translation>Import the province's household-registration extract: matched by ID number, written line by line once accepted</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="134" />
      <source>全部村（社区）</source>
      <translation>All villages</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="138" />
      <source>网格编号</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="140" />
      <source>日期</source>
      <translation>Date</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="276" />
      <source>正在查找…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="276" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="299" />
      <source>（只显示前 %1 条）</source>
      <translation> (first %1 shown)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="302" />
      <source>共 %1 条</source>
      <translation>%1 records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/module_view.py" line="300" />
      <source>找到 %1 条</source>
      <translation>%1 found</translation>
    </message>
  </context>
  <context>
    <name>Navigation</name>
    <message>
      <location filename="fieldkit/ui/nav.py" line="23" />
      <source>人和地</source>
      <translation>People &amp; places</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/nav.py" line="24" />
      <source>日常工作</source>
      <translation>Field work</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/nav.py" line="25" />
      <source>登记簿</source>
      <translation>Registers</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/nav.py" line="26" />
      <source>所务</source>
      <translation>Station</translation>
    </message>
  </context>
  <context>
    <name>PathRow</name>
    <message>
      <location filename="fieldkit/ui/path_row.py" line="35" />
      <source>复制路径</source>
      <translation>Copy path</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/path_row.py" line="43" />
      <source>已复制</source>
      <translation>Copied</translation>
    </message>
  </context>
  <context>
    <name>PhotoCapture</name>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="88" />
      <source>采集证件照片</source>
      <translation>Capture the ID photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="112" />
      <source>请让申领人坐在白色背景前，正对镜头，头顶和双眼对准参考线</source>
      <translation>Seat the applicant in front of the white backdrop, facing the camera, with the top of the head and the eyes on the guide lines</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="116" />
      <source>拍照</source>
      <translation>Take photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="118" />
      <source>重拍</source>
      <translation>Retake</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="120" />
      <source>从文件导入…</source>
      <translation>Import from file…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="122" />
      <source>未通过检查，仍然采用（须目视确认）</source>
      <translation>Failed the checks; use anyway (check by eye)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="124" />
      <source>使用此照片</source>
      <translation>Use this photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="126" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="165" />
      <source>正在打开摄像头…</source>
      <translation>Opening the camera…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="244" />
      <source>选择照片</source>
      <translation>Choose a photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="244" />
      <source>图片 (*.jpg *.jpeg *.png *.bmp)</source>
      <translation>Images (*.jpg *.jpeg *.png *.bmp)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="255" />
      <source>正在处理照片…</source>
      <translation>Processing the photo…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="136" />
      <source>证件照（358×441）</source>
      <translation>ID photo (358×441)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="138" />
      <source>检查结果</source>
      <translation>Checks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="269" />
      <source>无法生成证件照</source>
      <translation>Cannot make an ID photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="271" />
      <source>照片符合要求，可以使用</source>
      <translation>The photo meets the requirements</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/capture/photo_dialog.py" line="272" />
      <source>照片有 %1 项不合格，请按提示调整后重拍</source>
      <translation>%1 checks failed; adjust as shown and retake</translation>
    </message>
  </context>
  <context>
    <name>Pickers</name>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="58" />
      <source>输入姓名、身份证号、拼音首字母或门牌编码</source>
      <translation>Name, ID number, pinyin initials or doorplate code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="182" />
      <source>输入姓名或编码查找（F4）</source>
      <translation>Type a name or code to search (F4)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="187" />
      <source>查找或新建（F4）</source>
      <translation>Find or create (F4)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="192" />
      <source>打开这条记录</source>
      <translation>Open this record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="239" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="262" />
      <source>（请选择）</source>
      <translation>(choose)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="53" />
      <source>选择：</source>
      <translation>Choose: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="125" />
      <source>没有找到。可以点“新建”当场登记。</source>
      <translation>Nothing found. Press "New" to register it now.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="200" />
      <source>当前角色看不到被引用的模块</source>
      <translation>Your role cannot see the referenced module</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="67" />
      <source>新建%1</source>
      <translation>New %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="249" />
      <source>（记录已删除）</source>
      <translation>(record deleted)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/pickers.py" line="123" />
      <source>找到 %1 条；↓ 选择，回车确定</source>
      <translation>%1 found; ↓ to choose, Enter to confirm</translation>
    </message>
  </context>
  <context>
    <name>PlaquePanel</name>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="36" />
      <source>一票否决，不评星</source>
      <translation>Vetoed: no stars this period</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="52" />
      <source>对照当前指数</source>
      <translation>Compare with today's index</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="54" />
      <source>按现有记录重新计算这里的平安指数，与牌上签名的数字对照</source>
      <translation>Rate this place again from the records as they are now, beside the figures signed on the plaque</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="84" />
      <source>平安牌已核验</source>
      <translation>Safety plaque verified</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="84" />
      <source>未经签名核验</source>
      <translation>Not verified by signature</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="116" />
      <source>正在计算…</source>
      <translation>Calculating…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="132" />
      <source>牌上（已签名）</source>
      <translation>On the plaque (signed)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="132" />
      <source>牌上（未核验）</source>
      <translation>On the plaque (not verified)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="145" />
      <source>按现有记录，同期的指数或星级与牌上不同：牌子签发后有记录补录或更正。</source>
      <translation>From today's records the same period's index or stars differ from the plaque: records were added or corrected after it was issued.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="146" />
      <source>按现有记录，同期的指数和星级与牌上一致。</source>
      <translation>From today's records the same period's index and stars match the plaque.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="36" />
      <source>%1 星</source>
      <translation>%1 stars</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="97" />
      <source>至</source>
      <translation>to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="135" />
      <source>同期现值</source>
      <translation>Same period, now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="136" />
      <source>最近同长期间</source>
      <translation>Latest period of the same length</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="85" />
      <source>平安星级牌</source>
      <translation>Safety star plaque</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="104" />
      <source>平安指数</source>
      <translation>Safety index</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="150" />
      <source>星级</source>
      <translation>Stars</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="151" />
      <source>评定期间</source>
      <translation>Rated</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="94" />
      <source>所属村（社区）</source>
      <translation>Village (community)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/plaque.py" line="106" />
      <source>签发单位</source>
      <translation>Issued by</translation>
    </message>
  </context>
  <context>
    <name>RecordDialog</name>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="90" />
      <source>查看已有记录</source>
      <translation>Open the existing record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="94" />
      <source>合并到已有记录…</source>
      <translation>Merge into the existing record…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="125" />
      <source>保存（Ctrl+S）</source>
      <translation>Save (Ctrl+S)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="155" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="190" />
      <source>恢复草稿</source>
      <translation>Restore draft</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="194" />
      <source>丢弃草稿</source>
      <translation>Discard draft</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="258" />
      <source>合并重复记录</source>
      <translation>Merge duplicate records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="262" />
      <source>合并</source>
      <translation>Merge</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="290" />
      <source>请按规定处置，不要向当事人透露。</source>
      <translation>Follow the procedure; do not tell the person.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="318" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="429" />
      <source>还没保存</source>
      <translation>Not saved</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="429" />
      <source>这张表有改动还没保存。</source>
      <translation>This form has changes that are not saved.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="431" />
      <source>保存</source>
      <translation>Save</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="432" />
      <source>不保存</source>
      <translation>Don't save</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="433" />
      <source>继续填写</source>
      <translation>Keep editing</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="296" />
      <source>布控提醒</source>
      <translation>Watch-list alert</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="191" />
      <source>这张表有一份没保存的草稿（%1）。要恢复吗？</source>
      <translation>This form has an unsaved draft (%1). Restore it?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="259" />
      <source>把这条记录合并到“%1”？这条记录会被删除，它的修改记录和所有指向它的记录都转到“%1”。</source>
      <translation>Merge this record into “%1”? This record is deleted; its history and every record pointing at it move to “%1”.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="76" />
      <source>新建：%1</source>
      <translation>New: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="76" />
      <source>编辑：%1</source>
      <translation>Edit: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="114" />
      <source>由办理流程填写：请在记录页面使用 %1</source>
      <translation>Set by the workflow: use %1 on the record's page</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="249" />
      <source>已登记过：%1。同一个人只登记一次，请打开已有记录。</source>
      <translation>Already registered: %1. A person is registered once: open the existing record.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="251" />
      <source>这个人可能已经登记过：%1。请先查看，避免同一个人录两次。</source>
      <translation>This person may already be registered: %1. Check first so nobody is entered twice.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="340" />
      <source>有 %1 处需要改正，已在表中标出</source>
      <translation>%1 fields need correcting; they are marked in the form</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="362" />
      <source>草稿已保存 %1</source>
      <translation>Draft saved %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/record_dialog.py" line="289" />
      <source>%1 在布控名单上：%2</source>
      <translation>%1 is on the watch list: %2</translation>
    </message>
  </context>
  <context>
    <name>RecordPage</name>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="43" />
      <source>重点人员</source>
      <translation>Key person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="57" />
      <source>住址与同户</source>
      <translation>Address and household</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="35" />
      <source>走访这户</source>
      <translation>Visit this household</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="53" />
      <source>不是重点人员</source>
      <translation>Not a key person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="62" />
      <source>打开这个地址</source>
      <translation>Open this address</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="70" />
      <source>同户成员</source>
      <translation>Household members</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="86" />
      <source>平台数据</source>
      <translation>Platform data</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="100" />
      <source>住在这里的人</source>
      <translation>People living here</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="102" />
      <source>与这个地址有关的记录</source>
      <translation>Records about this address</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="46" />
      <source>列为重点人员：</source>
      <translation>Listed as a key person: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="51" />
      <source>重点人员记录</source>
      <translation>Key-person records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="64" />
      <source>现住址：</source>
      <translation>Current address: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="67" />
      <source>现住址：未填写</source>
      <translation>Current address: not recorded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="70" />
      <source>没有登记同户成员</source>
      <translation>No household members recorded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="81" />
      <source>没有相关记录：</source>
      <translation>No records: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="86" />
      <source>平台没有下发与此人有关的数据</source>
      <translation>The platform has sent nothing about this person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="91" />
      <source>其他相关记录</source>
      <translation>Other related records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/hub_pages.py" line="100" />
      <source>没有登记住户</source>
      <translation>No residents recorded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="55" />
      <source>记录</source>
      <translation>Record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="55" />
      <source>日期</source>
      <translation>Date</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="135" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="217" />
      <source>修改记录</source>
      <translation>Change history</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="44" />
      <source>新建</source>
      <translation>New</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="44" />
      <source>修改</source>
      <translation>Changed</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="44" />
      <source>删除</source>
      <translation>Deleted</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="44" />
      <source>恢复</source>
      <translation>Restore</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="45" />
      <source>表单升级</source>
      <translation>Form upgrade</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="54" />
      <source>类别</source>
      <translation>Kind</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="87" />
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="87" />
      <source>操作人</source>
      <translation>By</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="87" />
      <source>操作</source>
      <translation>Action</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="87" />
      <source>项目</source>
      <translation>Field</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="87" />
      <source>原值 → 新值</source>
      <translation>Old → new</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="193" />
      <source>编辑（Ctrl+E）</source>
      <translation>Edit (Ctrl+E)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="198" />
      <source>删除…</source>
      <translation>Delete…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="204" />
      <source>这类记录没有表单定义，按原始数据显示，不能编辑。</source>
      <translation>There is no form for these records: shown as raw data, not editable.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="241" />
      <source>基本信息</source>
      <translation>Details</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="304" />
      <source>这条记录已删除，可以在回收站恢复。</source>
      <translation>This record has been deleted; it can be restored from the trash.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="91" />
      <source>删除原因</source>
      <translation>Reason for deleting</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="216" />
      <source>已停用字段</source>
      <translation>Retired fields</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="270" />
      <source>无</source>
      <translation>None</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="89" />
      <source>（空）</source>
      <translation>(empty)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/pages/record_page.py" line="207" />
      <source>登记于 %1，最后修改 %2</source>
      <translation>Registered %1, last changed %2</translation>
    </message>
    <message>
      <source>删除记录</source>
      <translation type="vanished">Delete record</translation>
    </message>
    <message>
      <source>确定删除这条记录吗？删除后仍保留它的修改记录。</source>
      <translation type="vanished">Delete this record? Its history is kept.</translation>
    </message>
    <message>
      <source>这条记录已删除。</source>
      <translation type="vanished">This record has been deleted.</translation>
    </message>
  </context>
  <context>
    <name>RecordPrint</name>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="41" />
      <source>打印</source>
      <translation>Print</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="43" />
      <source>生成这条记录的 A4 PDF，在查看器中打开或直接打印</source>
      <translation>Make an A4 PDF of this record, then open it in the viewer or print it</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="75" />
      <source>打印记录</source>
      <translation>Print record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="93" />
      <source>在查看器中打开</source>
      <translation>Open in viewer</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="96" />
      <source>打印…</source>
      <translation>Print…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="99" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="115" />
      <source>没有找到可以打开 PDF 的程序。请复制下面的路径，用 PDF 查看器打开后打印。</source>
      <translation>No program to open PDFs was found. Copy the path below, open it in a PDF viewer and print from there.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="151" />
      <source>已保存</source>
      <translation>Saved</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="169" />
      <source>打印机无法开始打印，请检查打印机后重试。</source>
      <translation>The printer could not start printing. Check the printer and try again.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="185" />
      <source>已送往打印机，页数</source>
      <translation>Sent to the printer, pages</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="83" />
      <source>PDF 文件</source>
      <translation>PDF file</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/record_print.py" line="79" />
      <source>页数</source>
      <translation>Pages</translation>
    </message>
    <message>
      <source>复制路径</source>
      <translation type="vanished">Copy path</translation>
    </message>
  </context>
  <context>
    <name>RecoverySheet</name>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="75" />
      <source>FieldKit 恢复码</source>
      <translation>FieldKit recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="86" />
      <source>忘记口令时，只有这个恢复码能打开数据库。
请把这张纸锁在柜子里，和电脑分开保管；不要拍照，不要复印，不要存进电脑。</source>
      <translation>If the passphrase is forgotten, only this recovery code opens the store.
Keep this sheet locked away, apart from the laptop; do not photograph, copy or store it on a computer.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="144" />
      <source>没有纸质打印机</source>
      <translation>No paper printer</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="145" />
      <source>这台电脑没有连接纸质打印机（只有“打印到 PDF/文件”）。
恢复码不能存成文件：请把屏幕上的恢复码一组一组抄在纸上，核对一遍，锁在柜子里。</source>
      <translation>This laptop has no paper printer (only "print to PDF/file").
The recovery code must not be saved as a file: copy it from the screen group by group onto paper, check it once, and lock it away.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="148" />
      <source>我来手抄</source>
      <translation>I will copy it by hand</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="168" />
      <source>不能打印到文件</source>
      <translation>Cannot print to a file</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="168" />
      <source>恢复码只能打印在纸上，不能存成 PDF 或文件。请选择纸质打印机，或手抄。</source>
      <translation>The recovery code may only be printed on paper, never saved as a PDF or file. Choose a paper printer, or copy it by hand.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="76" />
      <source>数据库：%1</source>
      <translation>Store: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="77" />
      <source>用户：%1</source>
      <translation>User: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/recovery_sheet.py" line="78" />
      <source>打印日期：%1</source>
      <translation>Printed on: %1</translation>
    </message>
  </context>
  <context>
    <name>Repeat</name>
    <message>
      <location filename="fieldkit/ui/forms/repeat.py" line="57" />
      <source>添加一行</source>
      <translation>Add a row</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/repeat.py" line="81" />
      <source>删除这一行</source>
      <translation>Remove this row</translation>
    </message>
  </context>
  <context>
    <name>RollbackBanner</name>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="41" />
      <source>数据库被换成了旧版本或日志被截断</source>
      <translation>The database was replaced by an older copy or its log was cut short</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="51" />
      <source>接受的原因（记入审计日志）</source>
      <translation>Reason for accepting (recorded in the audit log)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="54" />
      <source>确认接受</source>
      <translation>Accept</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="56" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="68" />
      <source>警告</source>
      <translation>Warning</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="68" />
      <source>处理…</source>
      <translation>Decide…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="43" />
      <source>如果是有意放回的旧拷贝（例如更换了硬盘），请写明原因后确认接受：原因会记入审计日志，之后恢复正常读写。
否则请恢复备份：fieldkit restore 备份文件 --force（需要所长口令，会先列出备份中缺少的较新记录）。</source>
      <translation>If an old copy was put back on purpose (e.g. after replacing the disk), give the reason and accept: the reason is recorded in the audit log and the store is read-write again.
Otherwise restore a backup: fieldkit restore BACKUP --force (needs the chief's passphrase; it first lists the newer records the backup lacks).</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/rollback_banner.py" line="81" />
      <source>（请联系所长处理）</source>
      <translation> (ask the station chief to decide)</translation>
    </message>
  </context>
  <context>
    <name>ScanDialogs</name>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="62" />
      <source>是同一个人：使用已登记的记录（不重复录入）</source>
      <translation>Same person: use the existing record (no duplicate)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="87" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="127" />
      <source>放弃填写的内容？</source>
      <translation>Discard what you typed?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="128" />
      <source>这张表里填写的内容还没有确定。</source>
      <translation>What you typed in this form has not been confirmed.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="130" />
      <source>继续填写</source>
      <translation>Keep editing</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="131" />
      <source>放弃</source>
      <translation>Discard</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="244" />
      <source>登记此地址</source>
      <translation>Register this address</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="85" />
      <source>确定</source>
      <translation>OK</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="209" />
      <source>布控名单提示：</source>
      <translation>Watch-list alert: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="251" />
      <source>门牌码 %1 还没有登记为标准地址。请补全地址信息后登记，随后即可采集这一户。</source>
      <translation>Doorplate code %1 is not registered as a standard address yet. Complete the address and register it; then collect this household.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="207" />
      <source>已登记：</source>
      <translation>Already registered: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/dialogs.py" line="207" />
      <source>可能已登记过此人：</source>
      <translation>This person may already be registered: </translation>
    </message>
  </context>
  <context>
    <name>ScanView</name>
    <message>
      <location filename="fieldkit/ui/scan/__init__.py" line="47" />
      <source>扫门牌</source>
      <translation>Scan doorplate</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/__init__.py" line="70" />
      <source>打印门牌…</source>
      <translation>Print doorplates…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="98" />
      <source>重新检测摄像头</source>
      <translation>Detect camera again</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="105" />
      <source>正在打开摄像头…</source>
      <translation>Opening the camera…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="119" />
      <source>用扫码枪扫门牌，或输入地址编码后按回车</source>
      <translation>Scan the doorplate with a scanner, or type the address code and press Enter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="124" />
      <source>从图片文件识别…</source>
      <translation>Read from an image file…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="128" />
      <source>请对准门牌二维码</source>
      <translation>Aim at the doorplate QR code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="134" />
      <source>扫描门牌后，这里显示这一户的住户、租客、车辆和走访记录。</source>
      <translation>After a scan, the household's residents, tenants, vehicles and visits show here.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="227" />
      <source>还有未提交的内容</source>
      <translation>Entries not yet submitted</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="228" />
      <source>这一户还有未提交的内容。保留为草稿，下次扫这块门牌时恢复？</source>
      <translation>This household has entries not yet submitted. Keep them as a draft, restored the next time this doorplate is scanned?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="230" />
      <source>保留并关闭</source>
      <translation>Keep and close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="231" />
      <source>放弃这些内容</source>
      <translation>Discard them</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="232" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="279" />
      <source>选择门牌照片</source>
      <translation>Choose a doorplate photo</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="285" />
      <source>正在识别图片…</source>
      <translation>Reading the image…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="302" />
      <source>正在查找…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="101" />
      <source>摄像头：</source>
      <translation>Camera: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="122" />
      <source>门牌码：</source>
      <translation>Doorplate code: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="168" />
      <source>没有找到摄像头。请插上 USB 摄像头后点“重新检测摄像头”；也可以用扫码枪扫描，或从图片文件识别。</source>
      <translation>No camera found. Plug in a USB camera and press "Detect camera again"; a barcode scanner or an image file also work.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="189" />
      <source>分辨率较低：请靠近门牌，让二维码占画面三分之一以上</source>
      <translation>Low resolution: move closer so the QR code fills a third of the picture</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="190" />
      <source>自动对焦已开启</source>
      <translation>Autofocus on</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="190" />
      <source>摄像头不支持自动对焦：保持 30–50 厘米距离，避免反光</source>
      <translation>The camera has no autofocus: keep 30–50 cm away and avoid glare</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="195" />
      <source>扫码枪和图片文件仍可使用。</source>
      <translation>A barcode scanner and image files still work.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="280" />
      <source>图片</source>
      <translation>Image</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="330" />
      <source>这一户还有未提交的内容：请先提交或放弃，再扫下一户。</source>
      <translation>This household has unsubmitted changes: submit or discard them before the next scan.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="338" />
      <source>门牌已核验</source>
      <translation>Doorplate verified</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="338" />
      <source>未经签名核验</source>
      <translation>Not verified by signature</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="364" />
      <source>请补全标注的地址信息</source>
      <translation>Please complete the marked address fields</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="175" />
      <source>摄像头：%1</source>
      <translation>Camera: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="339" />
      <source>已打开：%1</source>
      <translation>Opened: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="187" />
      <source>分辨率 %1×%2</source>
      <translation>Resolution %1×%2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="258" />
      <source>有一户上次未提交：已打开 %1</source>
      <translation>A household was left unsubmitted: opened %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/scan/view.py" line="344" />
      <source>未登记的地址编码 %1：可以登记此地址。</source>
      <translation>Unregistered address code %1: you can register this address.</translation>
    </message>
  </context>
  <context>
    <name>Session</name>
    <message>
      <location filename="fieldkit/ui/session.py" line="196" />
      <source>正在恢复备份…</source>
      <translation>Restoring the backup…</translation>
    </message>
  </context>
  <context>
    <name>Settings</name>
    <message>
      <location filename="fieldkit/ui/settings.py" line="59" />
      <source>界面语言</source>
      <translation>Language</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="60" />
      <source>离开电脑多久后自动锁定</source>
      <translation>Lock when away from the laptop for</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="60" />
      <source>分钟</source>
      <translation>min</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="61" />
      <source>正在填的表多久存一次草稿</source>
      <translation>Save a draft of an open form every</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="61" />
      <source>秒</source>
      <translation>s</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="62" />
      <source>列表每次读取的行数</source>
      <translation>Rows read per page in lists</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="62" />
      <source>行</source>
      <translation>rows</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="63" />
      <source>边输边查：停止输入多久后开始查找</source>
      <translation>Search as you type: wait after the last key</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="63" />
      <source>毫秒</source>
      <translation>ms</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings.py" line="64" />
      <source>上次登录的用户</source>
      <translation>Last user</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="58" />
      <source>设备</source>
      <translation>Devices</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="70" />
      <source>正在查找摄像头…</source>
      <translation>Looking for cameras…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="73" />
      <source>自动查找（USB 定位器）</source>
      <translation>Find automatically (USB receiver)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="134" />
      <source>正在测试…</source>
      <translation>Testing…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="152" />
      <source>示范数据</source>
      <translation>Demo data</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="156" />
      <source>这里有示范乡镇的虚构数据。正式使用前可以整体删除；您自己录入或改过的记录会保留。</source>
      <translation>This store holds the fictitious demo township. Remove it before real use; records you typed or edited stay.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="159" />
      <source>删除示范数据…</source>
      <translation>Remove demo data…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="179" />
      <source>删除示范数据</source>
      <translation>Remove demo data</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="183" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="75" />
      <source>身份证阅读器</source>
      <translation>ID-card reader</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="75" />
      <source>摄像头</source>
      <translation>Camera</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="76" />
      <source>GPS 定位器</source>
      <translation>GPS receiver</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="78" />
      <source>测试</source>
      <translation>Test</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="105" />
      <source>没有找到摄像头</source>
      <translation>No camera found</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="172" />
      <source>正在清点示范数据…</source>
      <translation>Counting the demo records…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="176" />
      <source>将删除示范数据 %1 条。</source>
      <translation>%1 demo records will be removed.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="179" />
      <source>删除后不能撤销。确定删除吗？</source>
      <translation>This cannot be undone. Remove them?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="193" />
      <source>正在删除示范数据…</source>
      <translation>Removing the demo data…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="206" />
      <source>已取消，示范数据没有改动。</source>
      <translation>Cancelled; the demo data is unchanged.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="113" />
      <source>（未连接）</source>
      <translation> (not connected)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="178" />
      <source>您改过的、或仍被您的记录引用的示范记录 %1 条会保留。</source>
      <translation>%1 demo records you edited, or that your records still point at, stay.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_devices.py" line="196" />
      <source>已删除示范数据 %1 条。</source>
      <translation>Removed %1 demo records.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_dialog.py" line="74" />
      <source>设置</source>
      <translation>Settings</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_dialog.py" line="79" />
      <source>常用</source>
      <translation>General</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_dialog.py" line="93" />
      <source>高级</source>
      <translation>Advanced</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/settings_dialog.py" line="97" />
      <source>高级（一般不用改）</source>
      <translation>Advanced (rarely needs changing)</translation>
    </message>
    <message>
      <source>无操作多少分钟后自动锁定</source>
      <translation type="vanished">Lock after this many idle minutes</translation>
    </message>
    <message>
      <source>表单草稿自动保存间隔</source>
      <translation type="vanished">Autosave form drafts every</translation>
    </message>
  </context>
  <context>
    <name>StationCheckins</name>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="57" />
      <source>本周</source>
      <translation>This week</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="84" />
      <source>现在签到</source>
      <translation>Check in now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="89" />
      <source>选择所在村（社区）</source>
      <translation>Choose the village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="90" />
      <source>所在村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="93" />
      <source>如：自然村、学校、水库</source>
      <translation>e.g. hamlet, school, reservoir</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="94" />
      <source>地点</source>
      <translation>Place</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="99" />
      <source>工作内容</source>
      <translation>Work done</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="102" />
      <source>备注</source>
      <translation>Remarks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="103" />
      <source>使用GPS定位</source>
      <translation>Use GPS</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="107" />
      <source>定位</source>
      <translation>Position</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="108" />
      <source>签到前读取 USB GPS 定位器，先显示位置再保存；没有定位器或搜不到卫星时只记录所选村和地点。</source>
      <translation>Reads the USB GPS receiver before checking in and shows the position before saving; without a receiver or a fix only the village and place are recorded.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="112" />
      <source>签到</source>
      <translation>Check in</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="132" />
      <source>只看我自己</source>
      <translation>Only mine</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="138" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="180" />
      <source>正在读取 GPS 定位…</source>
      <translation>Reading the GPS position…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="205" />
      <source>请核对位置，再点“确认签到”</source>
      <translation>Check the position, then click "Confirm check-in"</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="206" />
      <source>确认签到</source>
      <translation>Confirm check-in</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="217" />
      <source>正在签到…</source>
      <translation>Checking in…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="57" />
      <source>上周</source>
      <translation>Last week</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="81" />
      <source>打点签到</source>
      <translation>Check-ins</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="125" />
      <source>签到周报</source>
      <translation>Weekly check-in report</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>日期</source>
      <translation>Date</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>签到次数</source>
      <translation>Check-ins</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>到过的村</source>
      <translation>Villages visited</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>最早</source>
      <translation>Earliest</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>最晚</source>
      <translation>Latest</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="145" />
      <source>带定位</source>
      <translation>With position</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="169" />
      <source>请先选择所在村（社区）</source>
      <translation>Choose the village first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="204" />
      <source>已定位：</source>
      <translation>Position: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="229" />
      <source>已记录位置</source>
      <translation>Position recorded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="241" />
      <source>未签到：</source>
      <translation>Not checked in: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="188" />
      <source>已取消定位，没有签到</source>
      <translation>Positioning cancelled; not checked in</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="228" />
      <source>。已记录位置</source>
      <translation>. Position recorded</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="227" />
      <source>已签到：%1 %2</source>
      <translation>Checked in: %1 %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="58" />
      <source>%1 至 %2</source>
      <translation>%1 to %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/checkins.py" line="259" />
      <source>%1 至 %2：%3 人签到 %4 次</source>
      <translation>%1 to %2: %3 people, %4 check-ins</translation>
    </message>
    <message>
      <source>签到时读取 USB GPS 定位器；没有定位器或搜不到卫星时只记录所选村和地点。</source>
      <translation type="vanished">A check-in reads the USB GPS receiver; without one, or without satellites, it records the chosen village and place only.</translation>
    </message>
    <message>
      <source>本机版本暂不读取 GPS 定位器，签到只记录所选村和地点。</source>
      <translation type="vanished">This build does not read a GPS receiver yet; a check-in records the chosen village and place only.</translation>
    </message>
    <message>
      <source>定位：本机版本暂不读取 GPS 定位器，签到只记录所选村和地点。</source>
      <translation type="vanished" />
    </message>
  </context>
  <context>
    <name>StationCommon</name>
    <message>
      <location filename="fieldkit/ui/station/common.py" line="107" />
      <source>一票否决</source>
      <translation>Veto</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/common.py" line="124" />
      <source>文件位置</source>
      <translation>File location</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/common.py" line="126" />
      <source>无法打开文件夹（本机没有可用的文件管理器）。文件保存在：</source>
      <translation>The folder cannot be opened (no file manager on this computer). The file is saved at:</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/common.py" line="130" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>复制路径</source>
      <translation type="vanished">Copy path</translation>
    </message>
    <message>
      <source>已复制</source>
      <translation type="vanished">Copied</translation>
    </message>
  </context>
  <context>
    <name>StationDashboard</name>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="106" />
      <source>导出台账…</source>
      <translation>Export ledger…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="109" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="119" />
      <source>重点人员逾期未随访</source>
      <translation>Key persons overdue for follow-up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="120" />
      <source>未办结事件隐患</source>
      <translation>Open events and hazards</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="121" />
      <source>待接收 / 进行中的任务</source>
      <translation>Tasks to take / in progress</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="122" />
      <source>待同步的修改</source>
      <translation>Changes waiting for sync</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="133" />
      <source>工作量（按月）</source>
      <translation>Work by month</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="141" />
      <source>按类别统计</source>
      <translation>By category</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="149" />
      <source>按村（社区）统计</source>
      <translation>By village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="156" />
      <source>未办结事件（按当前处置层级）</source>
      <translation>Open events (by current level)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="159" />
      <source>任务包（按状态）</source>
      <translation>Tasks (by status)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="174" />
      <source>双击或按回车打开该人员的记录</source>
      <translation>Double-click or press Enter to open the person's record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="178" />
      <source>各模块记录数</source>
      <translation>Records per module</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="199" />
      <source>按村（社区）</source>
      <translation>By village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="200" />
      <source>按网格</source>
      <translation>By grid</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="204" />
      <source>近 12 个月</source>
      <translation>Last 12 months</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="225" />
      <source>备份…</source>
      <translation>Back up…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="253" />
      <source>正在统计…</source>
      <translation>Counting…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="367" />
      <source>按网格统计</source>
      <translation>By grid</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="102" />
      <source>工作统计</source>
      <translation>Work statistics</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="139" />
      <source>显示：</source>
      <translation>Show: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="147" />
      <source>类别：</source>
      <translation>Category: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="154" />
      <source>模块：</source>
      <translation>Module: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="166" />
      <source>逾期未随访的重点人员</source>
      <translation>Key persons overdue for follow-up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>人员</source>
      <translation>Person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>所属村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>风险</source>
      <translation>Risk</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>应随访日期</source>
      <translation>Follow-up due</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="170" />
      <source>逾期天数</source>
      <translation>Days overdue</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="171" />
      <source>责任民警</source>
      <translation>Responsible officer</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="201" />
      <source>时间段 从</source>
      <translation>From</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="201" />
      <source>至</source>
      <translation>to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="201" />
      <source>地区</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="264" />
      <source>统计失败：</source>
      <translation>Statistics failed: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="294" />
      <source>件数</source>
      <translation>Cases</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="296" />
      <source>项数</source>
      <translation>Items</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="346" />
      <source>条数</source>
      <translation>Records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="370" />
      <source>本月至今</source>
      <translation>To date</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="293" />
      <source>未办结</source>
      <translation>Open</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="296" />
      <source>任务</source>
      <translation>Tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="298" />
      <source>记录数</source>
      <translation>Records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="309" />
      <source>没有逾期的随访。</source>
      <translation>No overdue follow-ups.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="331" />
      <source>本月至今（截至 %1）</source>
      <translation>This month to date (up to %1)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="282" />
      <source>有数据的主要工作</source>
      <translation>Main work with data</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="319" />
      <source>上次备份</source>
      <translation>Last backup</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="343" />
      <source>工作量（按月，%1 至 %2）</source>
      <translation>Work by month, %1 to %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="271" />
      <source>数据截至 %1 %2</source>
      <translation>Data as of %1 %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="307" />
      <source>共 %1 人逾期。双击一行打开该人员的记录。</source>
      <translation>%1 people overdue. Double-click a row to open the person's record.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/dashboard.py" line="304" />
      <source>共 %1 人逾期，下面列出逾期最久的 %2 人；全部名单见“重点人员随访”。</source>
      <translation>%1 people overdue; the %2 most overdue are listed; see "Key-person follow-ups" for all.</translation>
    </message>
    <message>
      <source>近 12 个月工作量（按月）</source>
      <translation type="vanished">Work in the last 12 months (by month)</translation>
    </message>
    <message>
      <source>按村（社区）统计，近 12 个月</source>
      <translation type="vanished">By village, last 12 months</translation>
    </message>
    <message>
      <source>双击打开该人员的记录</source>
      <translation type="vanished" />
    </message>
  </context>
  <context>
    <name>StationDesk</name>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="163" />
      <source>所长工作台</source>
      <translation>Chief's desk</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="176" />
      <source>所长工作台（Ctrl+D）：统计、随访、上报、任务、打点、平安指数</source>
      <translation>Chief's desk (Ctrl+D): statistics, follow-ups, escalation, tasks, check-ins, safety index</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="178" />
      <source>导出台账…</source>
      <translation>Export ledger…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="181" />
      <source>导出台账（Ctrl+P）：XLSX / PDF 打印，CSV 加密</source>
      <translation>Export ledger (Ctrl+P): XLSX / PDF for printing, sealed CSV</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="75" />
      <source>工作统计</source>
      <translation>Work statistics</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="77" />
      <source>重点人员随访</source>
      <translation>Key-person follow-ups</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="78" />
      <source>事件上报</source>
      <translation>Event escalation</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="79" />
      <source>任务包</source>
      <translation>Tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="80" />
      <source>打点签到</source>
      <translation>Check-ins</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/__init__.py" line="81" />
      <source>平安指数</source>
      <translation>Safety index</translation>
    </message>
  </context>
  <context>
    <name>StationEscalation</name>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="101" />
      <source>未办结</source>
      <translation>Open</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="102" />
      <source>已办结待反馈</source>
      <translation>Closed, feedback due</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="103" />
      <source>全部</source>
      <translation>All</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="107" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="115" />
      <source>双击或按回车打开事件记录</source>
      <translation>Double-click or press Enter to open the event</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="120" />
      <source>选择一个事件查看流转记录</source>
      <translation>Choose an event to see its steps</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="129" />
      <source>办理</source>
      <translation>Handle</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="133" />
      <source>处置情况、上报理由或给上报人的反馈</source>
      <translation>What was done, why it is escalated, or feedback to the reporter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="135" />
      <source>说明</source>
      <translation>Notes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="138" />
      <source>处置人/单位</source>
      <translation>Handled by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="142" />
      <source>上报上级</source>
      <translation>Escalate</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="147" />
      <source>移交到</source>
      <translation>Hand over to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="149" />
      <source>登记处置中</source>
      <translation>Record progress</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="152" />
      <source>已处置，办结</source>
      <translation>Resolved, close</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="155" />
      <source>向上报人反馈</source>
      <translation>Feed back to the reporter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="160" />
      <source>本级处置</source>
      <translation>Handle here</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="256" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="96" />
      <source>事件逐级上报</source>
      <translation>Event escalation</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>事件</source>
      <translation>Event</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>紧急程度</source>
      <translation>Urgency</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>当前层级</source>
      <translation>Current level</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="111" />
      <source>发现时间</source>
      <translation>Found at</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="112" />
      <source>所属村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="124" />
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="124" />
      <source>层级</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="124" />
      <source>处置人</source>
      <translation>Handled by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="124" />
      <source>处置情况</source>
      <translation>Action taken</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="124" />
      <source>结果</source>
      <translation>Result</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="245" />
      <source>请先写明处置情况或理由</source>
      <translation>Write what was done or why first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="277" />
      <source>已向上报人反馈</source>
      <translation>Feedback given to the reporter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="291" />
      <source>未保存：</source>
      <translation>Not saved: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="193" />
      <source>共 %1 件</source>
      <translation>%1 in total</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="265" />
      <source>已上报到：</source>
      <translation>Escalated to: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="272" />
      <source>已办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/escalation.py" line="272" />
      <source>已登记处置情况</source>
      <translation>Progress recorded</translation>
    </message>
    <message>
      <source>双击打开事件记录</source>
      <translation type="vanished" />
    </message>
  </context>
  <context>
    <name>StationFollowups</name>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="70" />
      <source>逾期未随访</source>
      <translation>Overdue</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="71" />
      <source>7 天内到期</source>
      <translation>Due within 7 days</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="72" />
      <source>全部在管人员</source>
      <translation>Everyone under management</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="76" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="84" />
      <source>双击或按回车打开该人员的记录</source>
      <translation>Double-click or press Enter to open the person's record</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="86" />
      <source>登记一次随访</source>
      <translation>Record a follow-up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="89" />
      <source>先在左边的名单中选一个人</source>
      <translation>Choose a person from the list on the left first</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="93" />
      <source>随访对象</source>
      <translation>Person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="99" />
      <source>随访日期</source>
      <translation>Follow-up date</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="104" />
      <source>随访方式</source>
      <translation>Method</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="110" />
      <source>现实表现</source>
      <translation>Current behaviour</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="113" />
      <source>随访人</source>
      <translation>Followed up by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="116" />
      <source>现实表现为“需关注”或“异常”时必须填写情况</source>
      <translation>Notes are required when the behaviour is "needs attention" or "abnormal"</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="118" />
      <source>情况记录</source>
      <translation>Notes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="119" />
      <source>保存随访</source>
      <translation>Save follow-up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="143" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="211" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="64" />
      <source>重点人员随访</source>
      <translation>Key-person follow-ups</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>人员</source>
      <translation>Person</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>所属村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>风险</source>
      <translation>Risk</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>间隔(天)</source>
      <translation>Interval (days)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="80" />
      <source>最近随访</source>
      <translation>Latest follow-up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="81" />
      <source>应随访日期</source>
      <translation>Follow-up due</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="81" />
      <source>逾期天数</source>
      <translation>Days overdue</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="81" />
      <source>责任民警</source>
      <translation>Responsible officer</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="203" />
      <source>请填写情况记录</source>
      <translation>Please write the notes</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="229" />
      <source>未保存：</source>
      <translation>Not saved: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="164" />
      <source>从未随访</source>
      <translation>Never followed up</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="219" />
      <source>已保存 %1 的随访，下次随访：%2</source>
      <translation>Follow-up of %1 saved; next due %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/followups.py" line="150" />
      <source>在管 %1 人，逾期 %2 人，7 天内到期 %3 人（按随访周期表计算）</source>
      <translation>%1 under management, %2 overdue, %3 due within 7 days (by the follow-up schedule)</translation>
    </message>
    <message>
      <source>双击打开该人员的记录</source>
      <translation type="vanished" />
    </message>
  </context>
  <context>
    <name>StationSafety</name>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="48" />
      <source>无扣分</source>
      <translation>No deductions</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="83" />
      <source>计算</source>
      <translation>Calculate</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="98" />
      <source>A4 星级牌</source>
      <translation>A4 star plaque</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="99" />
      <source>A5 星级牌</source>
      <translation>A5 star plaque</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="100" />
      <source>打印星级牌…</source>
      <translation>Print star plaque…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="103" />
      <source>打开所在文件夹</source>
      <translation>Open the folder</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="132" />
      <source>正在计算…</source>
      <translation>Calculating…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="193" />
      <source>星级牌保存到</source>
      <translation>Save the plaque to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="193" />
      <source>PDF 文件 (*.pdf)</source>
      <translation>PDF file (*.pdf)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="205" />
      <source>正在生成星级牌…</source>
      <translation>Making the plaque…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="69" />
      <source>平安指数与星级</source>
      <translation>Safety index and stars</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="79" />
      <source>评定期间</source>
      <translation>Rating period</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="81" />
      <source>至</source>
      <translation>to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="90" />
      <source>村（社区）</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="90" />
      <source>小区（自然村）</source>
      <translation>Compound (hamlet)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="90" />
      <source>平安指数</source>
      <translation>Safety index</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="90" />
      <source>星级</source>
      <translation>Stars</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="90" />
      <source>扣分明细</source>
      <translation>Deductions</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="95" />
      <source>权重表公开在 safety_weights.toml：指数 = 100 − 各类案件、纠纷、隐患的扣分；命案一票否决。小区（自然村）只计其地址上的记录。</source>
      <translation>The weights are public in safety_weights.toml: index = 100 − deductions for cases, disputes and hazards; a homicide vetoes the rating. A compound (hamlet) counts only the records at its addresses.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="128" />
      <source>评定期间的开始日期晚于结束日期</source>
      <translation>The rating period starts after it ends</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="179" />
      <source>星级牌由所长打印（需要派出所签名密钥）</source>
      <translation>The chief prints plaques (the station signing key is needed)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="223" />
      <source>未生成：</source>
      <translation>Not made: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="165" />
      <source>注意：本机没有“%1”登记模块，指数未计入这些记录。</source>
      <translation>Note: this laptop has no "%1" module; those records are not in the index.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="47" />
      <source>（否决）</source>
      <translation>(vetoed)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="46" />
      <source>%1 %2 起</source>
      <translation>%1: %2 cases</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="162" />
      <source>%1 至 %2，%3 个村（社区），%4 个小区（自然村）。</source>
      <translation>%1 to %2: %3 villages (communities), %4 compounds (hamlets).</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/safety.py" line="215" />
      <source>已生成 %1 的星级牌（%2，指数 %3）：%4</source>
      <translation>Plaque for %1 made (%2, index %3): %4</translation>
    </message>
    <message>
      <source>权重表公开在 safety_weights.toml：指数 = 100 − 各类案件、纠纷、隐患的扣分；命案一票否决。</source>
      <translation type="vanished">The weights are public in safety_weights.toml: index = 100 − deductions for cases, disputes and hazards; a homicide vetoes the rating.</translation>
    </message>
    <message>
      <source>%1 至 %2，%3 个村（社区）。</source>
      <translation type="vanished">%1 to %2, %3 villages.</translation>
    </message>
    <message>
      <source>起</source>
      <translation type="vanished">cases</translation>
    </message>
  </context>
  <context>
    <name>StationTasks</name>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="76" />
      <source>刷新</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="81" />
      <source>发布任务</source>
      <translation>Publish a task</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="86" />
      <source>如：查找走失儿童 王小明（3岁）</source>
      <translation>e.g. find a lost child, 王小明 (3)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="87" />
      <source>任务名称</source>
      <translation>Task</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="99" />
      <source>类型 / 紧急</source>
      <translation>Kind / urgency</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="103" />
      <source>任务要求</source>
      <translation>What is asked</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="106" />
      <source>全所（不限村）</source>
      <translation>Whole station (any village)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="107" />
      <source>所在村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="110" />
      <source>登录名，逗号分隔；留空发给所有人</source>
      <translation>Logins, comma-separated; empty = everyone</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="111" />
      <source>指派给</source>
      <translation>Assign to</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="116" />
      <source> 分</source>
      <translation> pts</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="117" />
      <source>期限</source>
      <translation>Due</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="129" />
      <source>积分</source>
      <translation>Points</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="130" />
      <source>发布</source>
      <translation>Publish</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="147" />
      <source>接收任务</source>
      <translation>Take task</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="152" />
      <source>完成情况（完成时必填）</source>
      <translation>Outcome (required to complete)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="153" />
      <source>完成任务</source>
      <translation>Complete task</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="183" />
      <source>本月</source>
      <translation>This month</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="184" />
      <source>本年</source>
      <translation>This year</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="185" />
      <source>全部</source>
      <translation>All</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="268" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="73" />
      <source>任务包</source>
      <translation>Tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="141" />
      <source>我的任务</source>
      <translation>My tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="142" />
      <source>任务</source>
      <translation>Tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="142" />
      <source>类型</source>
      <translation>Kind</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="142" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="142" />
      <source>村</source>
      <translation>Village</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="142" />
      <source>发布时间</source>
      <translation>Published</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="165" />
      <source>接收人</source>
      <translation>Taken by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="171" />
      <source>全部任务</source>
      <translation>All tasks</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="190" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="190" />
      <source>登录名</source>
      <translation>Login</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="275" />
      <source>请填写任务名称和任务要求</source>
      <translation>Fill in the task name and what is asked</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="282" />
      <source>已发布：</source>
      <translation>Published: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="297" />
      <source>请填写完成情况</source>
      <translation>Please write the outcome</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="315" />
      <source>未保存：</source>
      <translation>Not saved: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="289" />
      <source>已接收：</source>
      <translation>Taken: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="244" />
      <source>所有人</source>
      <translation>Everyone</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="250" />
      <source>我正在办 %1 项，可接收 %2 项</source>
      <translation>I have %1 in progress; %2 can be taken</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/station/tasks.py" line="301" />
      <source>已完成：%1，记 %2 分</source>
      <translation>Completed: %1, %2 points</translation>
    </message>
  </context>
  <context>
    <name>StepDialog</name>
    <message>
      <location filename="fieldkit/ui/forms/step_dialog.py" line="88" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/forms/step_dialog.py" line="39" />
      <source>确定要“%1”吗？</source>
      <translation>%1 — are you sure?</translation>
    </message>
  </context>
  <context>
    <name>SyncStatus</name>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="30" />
      <source>从未</source>
      <translation>never</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="38" />
      <source>刚刚</source>
      <translation>just now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="43" />
      <source>%1 天前</source>
      <translation>%1 days ago</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="64" />
      <source>立即同步</source>
      <translation>Sync now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="66" />
      <source>同步冲突…</source>
      <translation>Sync conflicts…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="67" />
      <source>登记到服务器…</source>
      <translation>Enroll with server…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="108" />
      <source>同步：读取中…</source>
      <translation>Sync: loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="112" />
      <source>● 正在同步…</source>
      <translation>● Syncing…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="40" />
      <source>%1 分钟前</source>
      <translation>%1 min ago</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="42" />
      <source>%1 小时前</source>
      <translation>%1 h ago</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="114" />
      <source>○ 离线</source>
      <translation>○ Offline</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="143" />
      <source>未同步的修改都安全地保存在本机。</source>
      <translation>Unsynced changes are kept safely on this laptop.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="149" />
      <source>重新登记…</source>
      <translation>Enroll again…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="110" />
      <source>未登记同步服务器 · 待同步 %1 条</source>
      <translation>Not enrolled for sync · %1 pending</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="116" />
      <source>● 在线</source>
      <translation>● Online</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="118" />
      <source>◌ 检查网络…</source>
      <translation>◌ Checking network…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="119" />
      <source>待同步 %1 条</source>
      <translation>%1 pending</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="120" />
      <source>上次同步 %1</source>
      <translation>last sync %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="93" />
      <source>布控提醒 %1 条</source>
      <translation>%1 watch-list alerts</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="95" />
      <source>%1 条未被服务器接收</source>
      <translation>%1 not accepted by the server</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="122" />
      <source>冲突 %1 处</source>
      <translation>%1 conflicts</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="124" />
      <source>被拒 %1 条</source>
      <translation>%1 rejected</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="137" />
      <source>服务器：%1</source>
      <translation>Server: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="141" />
      <source>上次同步失败：%1</source>
      <translation>Last sync failed: %1</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/status_widget.py" line="139" />
      <source>辖区：%1</source>
      <translation>Area: %1</translation>
    </message>
  </context>
  <context>
    <name>SyncUi</name>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="101" />
      <source>立即同步</source>
      <translation>Sync now</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="105" />
      <source>同步冲突…</source>
      <translation>Sync conflicts…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="78" />
      <source>布控提醒</source>
      <translation>Watch-list alert</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="66" />
      <source>同步冲突</source>
      <translation>Sync conflicts</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="79" />
      <source>平台新下发的布控名单中有本机已登记的人员：</source>
      <translation>The watch list just received from the platform names people registered on this laptop:</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/sync/__init__.py" line="77" />
      <source>…另有 %1 人</source>
      <translation>…and %1 more</translation>
    </message>
  </context>
  <context>
    <name>TrashView</name>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="57" />
      <source>回收站</source>
      <translation>Trash</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="63" />
      <source>全部模块</source>
      <translation>All modules</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="73" />
      <source>恢复</source>
      <translation>Restore</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="75" />
      <source>把选中的记录恢复到原来的列表里（连同它指向的人和地址）</source>
      <translation>Put the selected records back in their lists (with the people and addresses they point at)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="94" />
      <source>删除的记录保留数据和修改记录；恢复后，指向它的走访、房屋等记录照常显示。</source>
      <translation>Deleted records keep their data and history; once restored, the visits, rentals and other records pointing at them show as before.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="104" />
      <source>正在读取…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="83" />
      <source>模块</source>
      <translation>Module</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="83" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="83" />
      <source>删除人</source>
      <translation>Deleted by</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="83" />
      <source>删除时间</source>
      <translation>Deleted at</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="83" />
      <source>删除原因</source>
      <translation>Reason for deleting</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="122" />
      <source>只显示最近删除的 %1 条</source>
      <translation>Showing the %1 most recently deleted</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="124" />
      <source>共 %1 条</source>
      <translation>%1 records</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/trash_view.py" line="155" />
      <source>已恢复 %1 条</source>
      <translation>%1 restored</translation>
    </message>
  </context>
  <context>
    <name>Unlock</name>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="43" />
      <source>口令太弱：</source>
      <translation>Passphrase too weak: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="89" />
      <source>输入口令后按回车</source>
      <translation>Type the passphrase and press Enter</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="90" />
      <source>用户</source>
      <translation>User</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="91" />
      <source>口令</source>
      <translation>Passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="105" />
      <source>忘记口令？用恢复码</source>
      <translation>Forgot it? Use the recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="108" />
      <source>解锁</source>
      <translation>Unlock</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="165" />
      <source>至少 8 个字符；一句好记的话比复杂的短口令更安全</source>
      <translation>At least 8 characters; a memorable sentence beats a short complex one</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="170" />
      <source>再输入一次</source>
      <translation>Again</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="186" />
      <source>两次输入的口令不一致</source>
      <translation>The two passphrases differ</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="205" />
      <source>字母或数字，如 zhangwei</source>
      <translation>Letters or digits, e.g. zhangwei</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="208" />
      <source>如 张伟</source>
      <translation>e.g. 张伟</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="209" />
      <source>登录名</source>
      <translation>Login</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="210" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="212" />
      <source>第一个用户是本机的管理者（所长角色），以后可以添加民警和网格员。</source>
      <translation>The first user manages this laptop (station chief role); officers and grid workers can be added later.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="222" />
      <source>建立数据库</source>
      <translation>Create the store</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="263" />
      <source>忘记口令时，只有这个恢复码能打开数据库。请抄在纸上或打印出来，和电脑分开保管；不要拍照，不要存在这台电脑里。</source>
      <translation>If the passphrase is forgotten, only this recovery code opens the store. Write it down or print it and keep it away from the laptop; do not photograph it or save it on this computer.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="278" />
      <source>我已把恢复码抄写（或打印）下来，放在安全的地方</source>
      <translation>I have written down (or printed) the recovery code and put it somewhere safe</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="282" />
      <source>打印…</source>
      <translation>Print…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="284" />
      <source>继续</source>
      <translation>Continue</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="314" />
      <source>示范乡镇有虚构的村庄、门牌、约 2000 名居民和各类台账，方便先熟悉操作。
示范数据以后可以在“设置 → 示范数据”里整体删除。正式使用请选“从空白开始”。</source>
      <translation>The demo township has invented villages, doorplates, about 2,000 residents and every kind of register, to practise on.
It can be removed later under Settings → Demo data. For real work choose "Start empty".</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="321" />
      <source>从空白开始</source>
      <translation>Start empty</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="323" />
      <source>生成示范乡镇</source>
      <translation>Create the demo township</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="352" />
      <source>抄在纸上的恢复码</source>
      <translation>The recovery code from paper</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="354" />
      <source>恢复码</source>
      <translation>Recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="360" />
      <source>返回</source>
      <translation>Back</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="362" />
      <source>重设口令并解锁</source>
      <translation>Reset passphrase and unlock</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="126" />
      <source>请输入口令</source>
      <translation>Please type the passphrase</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="148" />
      <source>正在解锁…</source>
      <translation>Unlocking…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="198" />
      <source>第一次使用：建立本机数据库</source>
      <translation>First use: create the store on this laptop</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="234" />
      <source>登录名只能用字母、数字、下划线或点</source>
      <translation>A login may only use letters, digits, _ or .</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="247" />
      <source>正在建立…</source>
      <translation>Creating…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="262" />
      <source>恢复码（只显示这一次）</source>
      <translation>Recovery code (shown only this once)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="313" />
      <source>要先放入示范数据吗？</source>
      <translation>Start with demo data?</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="346" />
      <source>用恢复码重设口令</source>
      <translation>Reset the passphrase with the recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="372" />
      <source>请输入恢复码</source>
      <translation>Please type the recovery code</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="175" />
      <source>口令强度：</source>
      <translation>Strength: </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/pages.py" line="199" />
      <source>数据全部加密保存在本机：%1
口令用来解锁；请记住它，忘记时只能用恢复码。</source>
      <translation>Everything is stored encrypted on this laptop: %1
The passphrase unlocks it; remember it — if forgotten, only the recovery code helps.</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="48" />
      <source>已手动锁定（Ctrl+L）</source>
      <translation>Locked by hand (Ctrl+L)</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="50" />
      <source>正在恢复备份，完成后程序会重新启动…</source>
      <translation>Restoring the backup; the app restarts when it is done…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="52" />
      <source>已恢复备份，程序已重新启动：请用备份时的口令登录</source>
      <translation>The backup was restored and the app restarted: unlock with the passphrase of the backup's time</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="54" />
      <source>恢复备份没有完成，数据库未改动：请重新登录</source>
      <translation>The restore did not finish and the store is unchanged: unlock again</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="75" />
      <source>FieldKit 警务工作包</source>
      <translation>FieldKit</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="46" />
      <source>因 %1 分钟无操作已自动锁定</source>
      <translation>Locked automatically after %1 minutes without use</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="142" />
      <source>正在按新表单升级记录…</source>
      <translation>Upgrading records to the new forms…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="189" />
      <source>%1 秒后可以再试</source>
      <translation>Try again in %1 s</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="218" />
      <source>正在建立加密数据库…</source>
      <translation>Creating the encrypted store…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="254" />
      <source>正在生成示范乡镇…</source>
      <translation>Creating the demo township…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="275" />
      <source>正在重设口令…</source>
      <translation>Resetting the passphrase…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/unlock/window.py" line="250" />
      <source>已取消，没有放入示范数据。可以重试，或从空白开始。</source>
      <translation>Cancelled; no demo data was added. Try again, or start empty.</translation>
    </message>
    <message>
      <source>FieldKit 警务工作包 — 解锁</source>
      <translation type="vanished">FieldKit — Unlock</translation>
    </message>
    <message>
      <source>示范乡镇有虚构的村庄、门牌、约 2000 名居民和各类台账，方便先熟悉操作。
示范数据以后可以整体删除。正式使用请选“从空白开始”。</source>
      <translation type="vanished">The demo township has invented villages, doorplates, about 2,000 residents and every kind of register, to practise on.
It can be removed later. For real work choose "Start empty".</translation>
    </message>
    <message>
      <source>忘记口令时用它重设口令。与电脑分开保管。</source>
      <translation type="vanished">Use it to reset a forgotten passphrase. Keep it away from the laptop.</translation>
    </message>
    <message>
      <source>FieldKit 恢复码</source>
      <translation type="vanished">FieldKit recovery code</translation>
    </message>
    <message>
      <source>弱：加长，或混用字母、数字和符号</source>
      <translation type="vanished">weak: make it longer, or mix letters, digits and symbols</translation>
    </message>
    <message>
      <source>太短：至少 8 个字符</source>
      <translation type="vanished">too short: at least 8 characters</translation>
    </message>
    <message>
      <source>强</source>
      <translation type="vanished">strong</translation>
    </message>
    <message>
      <source>中等：再长一些更安全</source>
      <translation type="vanished">fair: longer is safer</translation>
    </message>
    <message>
      <source>口令太短：至少 8 个字符</source>
      <translation type="vanished">Passphrase too short: at least 8 characters</translation>
    </message>
    <message>
      <source>已取消。已生成的部分示范数据保留。</source>
      <translation type="vanished">Cancelled. The demo data created so far is kept.</translation>
    </message>
    <message>
      <source>角色</source>
      <translation type="vanished">Role</translation>
    </message>
    <message>
      <source>所长（可看全部模块）</source>
      <translation type="vanished">Station chief (sees every module)</translation>
    </message>
    <message>
      <source>社区民警</source>
      <translation type="vanished">Community police officer</translation>
    </message>
    <message>
      <source>网格员</source>
      <translation type="vanished">Grid worker</translation>
    </message>
  </context>
  <context>
    <name>Words</name>
    <message>
      <location filename="fieldkit/ui/words.py" line="36" />
      <source>、</source>
      <translation>, </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/words.py" line="41" />
      <source>；</source>
      <translation>; </translation>
    </message>
    <message>
      <location filename="fieldkit/ui/words.py" line="25" />
      <source>%1：</source>
      <translation>%1:</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/words.py" line="26" />
      <source>%1：%2</source>
      <translation>%1: %2</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/words.py" line="31" />
      <source>%1（%2）</source>
      <translation>%1 (%2)</translation>
    </message>
  </context>
  <context>
    <name>Worker</name>
    <message>
      <location filename="fieldkit/ui/worker.py" line="410" />
      <source>请稍候</source>
      <translation>Please wait</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/worker.py" line="411" />
      <source>正在处理…</source>
      <translation>Working…</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/worker.py" line="412" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="fieldkit/ui/worker.py" line="422" />
      <source>正在取消…</source>
      <translation>Cancelling…</translation>
    </message>
  </context>
</TS>
