import { negotiateReportLanguage, reportLabels } from './report-labels';

describe('report language', () => {
  it.each([
    [undefined, undefined, 'zh-CN'],
    [undefined, 'en-US,en;q=0.9', 'en'],
    [undefined, 'zh-Hans;q=0.8, en;q=0.5', 'zh-CN'],
    [undefined, 'fr-FR, en;q=0.3', 'en'],
    [undefined, 'fr-FR', 'zh-CN'],
    ['en', 'zh-CN', 'en'],
    ['zh', undefined, 'zh-CN'],
    ['fr', 'en', undefined],
  ])('?lang=%s with Accept-Language %s → %s', (lang, accept, expected) => {
    expect(negotiateReportLanguage(lang, accept)).toBe(expected);
  });

  it('translates status words, and reads untranslated ones as words in English', () => {
    expect(reportLabels('zh-CN').value('off_track')).toBe('偏离');
    expect(reportLabels('en').value('off_track')).toBe('off track');
    expect(reportLabels('zh-CN').csvHeader('actor_email')).toBe('邮箱');
    expect(reportLabels('en').csvHeader('actor_email')).toBe('actor_email');
  });
});
