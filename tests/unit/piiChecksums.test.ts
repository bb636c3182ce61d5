import { describe, expect, it } from 'vitest';
import { cnIdCheckChar, isValidCnId, isValidIban, isValidSsn, luhnValid, validDate } from '../../src/lib/privacy/checksums';

describe('resident ID (ISO 7064 MOD 11-2)', () => {
  it('accepts valid IDs, including the X check character', () => {
    expect(isValidCnId('11010519491231002X')).toBe(true);
    expect(isValidCnId('11010519491231002x')).toBe(true);
    const body = '44030619900307123';
    expect(isValidCnId(body + cnIdCheckChar(body))).toBe(true);
  });
  it('rejects a wrong check digit, a bad birth date, an unknown province and wrong length', () => {
    expect(isValidCnId('110105194912310021')).toBe(false);
    const badDate = '44030619900230123';
    expect(isValidCnId(badDate + cnIdCheckChar(badDate))).toBe(false);
    const badProv = '99030619900307123';
    expect(isValidCnId(badProv + cnIdCheckChar(badProv))).toBe(false);
    expect(isValidCnId('11010519491231002')).toBe(false);
  });
  it('knows leap years', () => {
    expect(validDate(2000, 2, 29)).toBe(true);
    expect(validDate(1900, 2, 29)).toBe(false);
    expect(validDate(2024, 2, 29)).toBe(true);
    expect(validDate(2023, 2, 29)).toBe(false);
  });
});

describe('Luhn', () => {
  it('accepts valid card numbers and rejects one digit off', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) expect(luhnValid(n)).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('41111111111x1111')).toBe(false);
  });
});

describe('IBAN mod 97', () => {
  it('accepts valid IBANs of several countries, spaced or not', () => {
    for (const s of ['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'BE68539007547034', 'CH9300762011623852957']) expect(isValidIban(s)).toBe(true);
  });
  it('rejects a changed digit, a wrong length and an unknown country', () => {
    expect(isValidIban('DE89370400440532013001')).toBe(false);
    expect(isValidIban('DE8937040044053201300')).toBe(false);
    expect(isValidIban('XX89370400440532013000')).toBe(false);
  });
});

describe('US SSN', () => {
  it('accepts valid numbers and rejects areas 000/666/9xx, group 00 and serial 0000', () => {
    expect(isValidSsn('123-45-6789')).toBe(true);
    for (const s of ['000-12-3456', '666-12-3456', '912-12-3456', '123-00-4567', '123-45-0000']) expect(isValidSsn(s)).toBe(false);
  });
});
